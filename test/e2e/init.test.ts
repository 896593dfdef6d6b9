// `punie init` through the binary, with HOME in a temp dir: JetBrains acp.json written, merged and recovered
// from corruption; Zed settings printed and merged with comments kept; and the written launch line really
// starts an agent that answers initialize.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'jsonc-parser'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AGENT_KEY } from '../../src/config/ide-config.js'
import { BIN, REPO_ROOT } from '../helpers/acp-harness.js'
import { makeTempDir } from '../helpers/temp.js'

let home: { path: string; remove: () => void }
beforeEach(() => {
  home = makeTempDir('punie-user-')
})
afterEach(() => home.remove())

const init = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'init', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOME: home.path, PUNIE_HOME: join(home.path, '.punie') },
    encoding: 'utf8',
  })

const acpJson = () => join(home.path, '.jetbrains', 'acp.json')

describe('punie init', () => {
  it('writes JetBrains acp.json whose launch line starts a working agent', async () => {
    const ran = init('--model', 'ollama:qwen3')
    expect(ran.status).toBe(0)
    const entry = JSON.parse(readFileSync(acpJson(), 'utf8')).agent_servers[AGENT_KEY]
    expect(entry.args.slice(1)).toEqual(['acp', '--model', 'ollama:qwen3'])
    expect(entry.env).toEqual({ PUNIE_HOME: join(home.path, '.punie') })

    const agent = spawn(entry.command, entry.args, { env: { ...process.env, ...entry.env } })
    const line = await new Promise<string>((resolve) => {
      agent.stdout.once('data', (d: Buffer) => resolve(d.toString()))
      agent.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } })}\n`,
      )
    })
    agent.kill()
    expect(JSON.parse(line)).toMatchObject({ id: 1, result: { protocolVersion: 1 } })
  })

  it('keeps the other agents, and backs up a file it cannot read instead of destroying it', () => {
    init()
    const withOther = JSON.parse(readFileSync(acpJson(), 'utf8'))
    withOther.agent_servers.other = { command: 'other-agent', args: [] }
    writeFileSync(acpJson(), JSON.stringify(withOther))
    init('--connect')
    const merged = JSON.parse(readFileSync(acpJson(), 'utf8')).agent_servers
    expect(merged.other).toEqual({ command: 'other-agent', args: [] })
    expect(merged[AGENT_KEY].args.slice(1)).toEqual(['connect'])

    writeFileSync(acpJson(), '{ "agent_servers": ')
    const ran = init()
    expect(ran.stderr).toContain('was not valid JSON')
    const backups = readdirSync(join(home.path, '.jetbrains')).filter((f) => f.endsWith('.bak'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(join(home.path, '.jetbrains', backups[0] as string), 'utf8')).toBe(
      '{ "agent_servers": ',
    )
    expect(JSON.parse(readFileSync(acpJson(), 'utf8')).agent_servers[AGENT_KEY].command).toBe(
      process.execPath,
    )
  })

  it('prints Zed settings, or merges them into a settings file keeping its comments', () => {
    const printed = init('--ide', 'zed')
    expect(parse(printed.stdout).agent_servers[AGENT_KEY]).toMatchObject({
      type: 'custom',
      command: process.execPath,
    })

    const settings = join(home.path, 'settings.json')
    writeFileSync(settings, '{\n  // my theme\n  "theme": "One Dark",\n}\n')
    expect(init('--ide', 'zed', '--output', settings).status).toBe(0)
    const text = readFileSync(settings, 'utf8')
    expect(text).toContain('// my theme')
    expect(parse(text)).toMatchObject({
      theme: 'One Dark',
      agent_servers: { [AGENT_KEY]: { type: 'custom' } },
    })
  })

  it('replaces the entry an older init wrote under "punie", keeping another agent of that name', () => {
    const legacy = { command: process.execPath, args: ['/opt/punie/bin/punie.js', 'acp'], env: {} }
    mkdirSync(join(home.path, '.jetbrains'))
    writeFileSync(acpJson(), JSON.stringify({ agent_servers: { punie: legacy, other: { command: 'x' } } }))
    expect(init().status).toBe(0)
    expect(Object.keys(JSON.parse(readFileSync(acpJson(), 'utf8')).agent_servers).sort()).toEqual(
      [AGENT_KEY, 'other'].sort(),
    )
    writeFileSync(acpJson(), JSON.stringify({ agent_servers: { punie: { command: 'someone-else' } } }))
    init()
    expect(JSON.parse(readFileSync(acpJson(), 'utf8')).agent_servers.punie).toEqual({
      command: 'someone-else',
    })
  })

  it("the README's JetBrains and Zed examples use the key init writes", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    for (const ide of ['JetBrains', 'Zed']) {
      const section = readme.slice(readme.indexOf(`**${ide}`))
      const block = /```json\n([\s\S]*?)```/.exec(section)?.[1]
      expect(block, `${ide} example`).toBeDefined()
      expect(Object.keys(parse(block as string).agent_servers), ide).toEqual([AGENT_KEY])
    }
  })
})
