// Replayable sessions through the binary: a real session (a read, an edit, a command, a second turn) run by the
// spawned agent against the scripted model is exported as a cassette, replayed against this build (passes) and
// against a copy of the build whose read_file drops a file's first line (fails, naming the step with a diff);
// a cassette that is not one is a usage error; and the session made an eval case validates and passes.
import { execFile } from 'node:child_process'
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { fullExchanges, parseCassette } from '../../src/eval/cassette.js'
import { BIN, REPO_ROOT, spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedIde } from '../helpers/ide.js'
import { ScriptedModelServer, type StaticReply } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const exec = promisify(execFile)

const APP = 'def add(a, b):\n    return a - b\n\n\nprint(add(2, 3))\n'
// A token the session reads: the exported cassette replaces it, and the replay still matches.
const TOKEN = `ghp_${'x7Q2'.repeat(9)}`
const NOTES = `release on friday\ntoken: ${TOKEN}\n`
const SCRUBBED_NOTES = NOTES.replace(TOKEN, '[REDACTED:github-token]')

/** The first turn's answers: read, edit, run, then the answer. */
const TURN_ONE: StaticReply[] = [
  { toolCalls: [{ id: 'call_read', name: 'read_file', arguments: { path: 'app.py' } }] },
  {
    toolCalls: [
      {
        id: 'call_edit',
        name: 'edit_file',
        arguments: { path: 'app.py', old: 'return a - b', new: 'return a + b' },
      },
    ],
  },
  { toolCalls: [{ id: 'call_run', name: 'run_command', arguments: { command: 'grep -c return app.py' } }] },
  { text: 'Fixed `add`: it now returns `a + b`.', usage: { prompt_tokens: 1200, completion_tokens: 12 } },
]
const TURN_TWO: StaticReply[] = [
  { toolCalls: [{ id: 'call_notes', name: 'read_file', arguments: { path: 'notes.txt' } }] },
  { text: 'The release is on friday; sam owns it.' },
]
/** In ask mode: a write the user rejects, then Code Mode. */
const TURN_THREE: StaticReply[] = [
  {
    toolCalls: [
      { id: 'call_write', name: 'write_file', arguments: { path: 'notes.txt', content: 'gone\n' } },
    ],
  },
  {
    toolCalls: [
      {
        id: 'call_code',
        name: 'execute_code',
        arguments: { code: 'r = read_file("notes.txt")\nprint(r["totalLines"])' },
      },
    ],
  },
  { text: 'Left the notes alone; they have 2 lines.' },
]

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function punie(home: string, args: string[], bin = BIN): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], {
      env: { ...process.env, PUNIE_HOME: home },
      timeout: 60_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

describe('replayable sessions', () => {
  const home = makeTempDir('punie-cassette-home-')
  const workspace = makeTempDir('punie-cassette-ws-')
  const out = makeTempDir('punie-cassette-out-')
  const cassettePath = join(out.path, 'session.cassette.json')
  let model: ScriptedModelServer
  let sessionId = ''

  beforeAll(async () => {
    model = await ScriptedModelServer.start()
    writeFileSync(join(workspace.path, 'app.py'), APP)
    writeFileSync(join(workspace.path, 'notes.txt'), NOTES)
    // An IDE that only answers permission requests (files and commands stay local), rejecting them.
    const ide = new ScriptedIde({ fs: { readTextFile: false, writeTextFile: false }, terminal: false })
    const agent = spawnAgent({ home: home.path, args: ['--model', model.spec], ide })
    await agent.harness.initialize()
    sessionId = (await agent.harness.newSession(workspace.path)).sessionId
    const setMode = (value: string) =>
      agent.harness.agent.request(methods.agent.session.setConfigOption, {
        sessionId,
        configId: 'mode',
        value,
      })
    await setMode('yolo')
    model.enqueue(...TURN_ONE, ...TURN_TWO, ...TURN_THREE, {
      kind: 'http-error',
      status: 500,
      body: 'overloaded',
    })
    await agent.harness.prompt(sessionId, 'add() subtracts: fix it and check the file')
    await agent.harness.prompt(sessionId, 'What do the notes say?')
    await setMode('ask')
    await agent.harness.prompt(sessionId, 'Clear the notes, then count their lines')
    expect(ide.permissionRequests).toHaveLength(1)
    // The model server fails this one: the cassette keeps the failure, and the replay fails it again.
    expect((await agent.harness.failedPrompt(sessionId, 'And now?')).message).toContain('overloaded')
    await agent.harness.close()
    const exported = await punie(home.path, ['session', 'export', sessionId, '-o', cassettePath])
    expect(exported.stderr).toBe('')
    expect(exported.code).toBe(0)
  }, 60_000)
  afterAll(async () => {
    await model.close()
    home.remove()
    workspace.remove()
    out.remove()
  })

  it('exports every model request and answer, the tool calls and the touched files of the session', () => {
    const text = readFileSync(cassettePath, 'utf8')
    expect(text).not.toContain(TOKEN)
    expect(text).toContain('[REDACTED:github-token]')
    const cassette = parseCassette(text, cassettePath)
    expect(cassette.session).toMatchObject({ id: sessionId, mode: 'ask', toolMode: 'both' })
    expect(cassette.turns.map((t) => [t.mode, t.exchanges.length])).toEqual([
      ['yolo', 4],
      ['yolo', 2],
      ['ask', 3],
      ['ask', 1],
    ])
    expect(cassette.turns[3]?.exchanges[0]?.failed).toContain('500')
    // Each request exactly as the scripted model received it.
    const sent = model.chatRequests()
    expect(sent).toHaveLength(10)
    const exchanges = fullExchanges(cassette).flat()
    exchanges.forEach((exchange, i) => {
      expect(exchange.messages).toHaveLength(sent[i]?.body.messages.length ?? -1)
      expect(exchange.tools.map((t) => t.name)).toEqual(sent[i]?.body.tools?.map((t) => t.function.name))
    })
    expect(exchanges[0]?.messages[0]?.role).toBe('system')
    expect(exchanges[0]?.messages[0]?.content).toContain('<workspace>')
    // Each request written as what it adds: the tools once, every message once.
    const written = cassette.turns.flatMap((t) => t.exchanges)
    expect(written.filter((e) => e.tools).length).toBe(1)
    expect(written.reduce((n, e) => n + e.append.length, 0)).toBe(exchanges.at(-1)?.messages.length)
    expect(exchanges[3]?.response).toMatchObject({
      text: 'Fixed `add`: it now returns `a + b`.',
      finish: 'stop',
      usage: { promptTokens: 1200, completionTokens: 12 },
    })
    expect(cassette.turns[0]?.toolCalls.map((c) => [c.name, c.status])).toEqual([
      ['read_file', 'completed'],
      ['edit_file', 'completed'],
      ['run_command', 'completed'],
    ])
    expect(
      cassette.turns[2]?.toolCalls.map((c) => [c.name, c.status, c.permission, c.parentId !== undefined]),
    ).toEqual([
      ['write_file', 'failed', 'reject_once', false],
      ['execute_code', 'completed', undefined, false],
      ['read_file', 'completed', undefined, true],
    ])
    expect(cassette.files.start).toEqual({ 'app.py': APP, 'notes.txt': SCRUBBED_NOTES })
    expect(cassette.files.end).toEqual({
      'app.py': APP.replace('a - b', 'a + b'),
      'notes.txt': SCRUBBED_NOTES,
    })
    // Paths are the workspace's, not this machine's.
    expect(text).not.toContain(workspace.path)
    // Each message of the history is logged about once, not once per request: the store stays linear.
    const dbBytes = readFileSync(join(home.path, 'punie.db')).length
    expect(dbBytes).toBeLessThanOrEqual(1024 * 1024)
  })

  it('replays the cassette against this build: every request matches and the files end the same', async () => {
    const run = await punie(home.path, ['eval', 'replay', cassettePath])
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain(`PASS ${cassettePath}: 4 turns, 10 model requests, 7 tool calls`)
    expect(run.code).toBe(0)
    const json = await punie(home.path, ['eval', 'replay', cassettePath, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: true, turns: 4, requests: 10, toolCalls: 7 })
  }, 60_000)

  it('fails against a build whose read_file drops the first line, naming the step with a diff', async () => {
    const broken = makeTempDir('punie-broken-build-')
    try {
      for (const part of ['dist', 'bin', 'package.json'])
        cpSync(join(REPO_ROOT, part), join(broken.path, part), { recursive: true })
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(broken.path, 'node_modules'))
      const tool = join(broken.path, 'dist', 'tools', 'builtin', 'read-file.js')
      const source = readFileSync(tool, 'utf8')
      const patched = source.replace(
        "const lines = text.split('\\n');",
        "const lines = text.split('\\n').slice(1);",
      )
      expect(patched).not.toBe(source)
      writeFileSync(tool, patched)

      const run = await punie(
        home.path,
        ['eval', 'replay', cassettePath],
        join(broken.path, 'bin', 'punie.js'),
      )
      expect(run.code).toBe(1)
      const lines = run.stdout.split('\n')
      expect(lines[0]).toBe(
        `FAIL ${cassettePath}: turn 1, model request 2: message 4 of 4 (the result of read_file call call_read) differs`,
      )
      expect(lines).toContain('--- recorded')
      expect(lines).toContain('+++ this build')
      expect(lines).toContain('-def add(a, b):')
      const json = await punie(
        home.path,
        ['eval', 'replay', cassettePath, '--json'],
        join(broken.path, 'bin', 'punie.js'),
      )
      expect(JSON.parse(json.stdout).difference).toMatchObject({ turn: 1, request: 2 })
    } finally {
      broken.remove()
    }
  }, 60_000)

  it('fails when the workspace no longer starts as recorded, at the first request that shows it', async () => {
    const cassette = JSON.parse(readFileSync(cassettePath, 'utf8'))
    cassette.files.start['notes.txt'] = 'release on monday\nowner: sam\n'
    const edited = join(out.path, 'edited.json')
    writeFileSync(edited, JSON.stringify(cassette))
    const run = await punie(home.path, ['eval', 'replay', edited])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('turn 2, model request 2: message')
    expect(run.stdout).toContain('(the result of read_file call call_notes) differs')
    expect(run.stdout).toContain('-release on friday')
    expect(run.stdout).toContain('+release on monday')
  }, 60_000)

  it('answers permission requests as the user did: an answer changed in the cassette shows at the next request', async () => {
    const cassette = JSON.parse(readFileSync(cassettePath, 'utf8'))
    cassette.turns[2].toolCalls[0].permission = 'allow_once'
    const edited = join(out.path, 'allowed.json')
    writeFileSync(edited, JSON.stringify(cassette))
    const run = await punie(home.path, ['eval', 'replay', edited])
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n')[0]).toContain(
      'turn 3, model request 2: message 16 of 16 (the result of write_file call call_write) differs',
    )
  }, 60_000)

  it('refuses a file that is not a cassette with a clear error and exit 2', async () => {
    const garbage = join(out.path, 'garbage.json')
    writeFileSync(garbage, '{"cassette": 1, "turns": "no"')
    const run = await punie(home.path, ['eval', 'replay', garbage])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`punie eval replay: ${garbage}: not JSON`)
    const wrongShape = join(out.path, 'wrong.json')
    writeFileSync(wrongShape, JSON.stringify({ cassette: 1, turns: [] }))
    const shaped = await punie(home.path, ['eval', 'replay', wrongShape])
    expect(shaped.code).toBe(2)
    expect(shaped.stderr).toContain('not a cassette')
    expect(shaped.stderr).toContain('(at punieVersion)')
    const missing = await punie(home.path, ['eval', 'replay', join(out.path, 'none.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read (ENOENT)')
    const noArgument = await punie(home.path, ['eval', 'replay'])
    expect(noArgument.code).toBe(2)
    expect(noArgument.stderr).toContain("missing required argument 'cassette'")
  }, 60_000)

  it('turns the session into an eval case that validates and passes with the same model answers', async () => {
    const suite = join(out.path, 'case.yaml')
    const made = await punie(home.path, ['eval', 'case-from-session', sessionId, '-o', suite])
    expect(made.code).toBe(0)
    expect(made.stderr).toContain('note: the session has 4 turns: the case is its first prompt')
    const [derived] = parseYaml(readFileSync(suite, 'utf8')).cases
    expect(derived).toMatchObject({
      prompt: 'add() subtracts: fix it and check the file',
      workspace: { files: { 'app.py': APP, 'notes.txt': NOTES } },
      expect: {
        tools: [
          { name: 'read_file', args: { path: 'app.py' } },
          { name: 'edit_file', args: { path: 'app.py' } },
          'run_command',
        ],
        files: [{ path: 'app.py', contains: ['return a + b'] }],
        answer_contains: ['add', 'a + b'],
      },
    })
    const valid = await punie(home.path, ['eval', 'validate', suite])
    expect(valid.code).toBe(0)
    expect(valid.stdout).toContain('1 cases — valid')

    const replayModel = await ScriptedModelServer.start()
    try {
      replayModel.enqueue(...TURN_ONE)
      const results = join(out.path, 'results.json')
      const run = await punie(home.path, [
        'eval',
        'run',
        suite,
        '--model',
        replayModel.spec,
        '--out',
        results,
      ])
      expect(run.code).toBe(0)
      const [result] = JSON.parse(readFileSync(results, 'utf8')).results
      expect(result).toMatchObject({ passed: true, score: 1 })
    } finally {
      await replayModel.close()
    }
    // A model that answers without doing the work fails the same case.
    const lazy = await ScriptedModelServer.start()
    try {
      lazy.always({ text: 'Done.' })
      const results = join(out.path, 'lazy.json')
      await punie(home.path, ['eval', 'run', suite, '--model', lazy.spec, '--out', results])
      const [result] = JSON.parse(readFileSync(results, 'utf8')).results
      expect(result.passed).toBe(false)
    } finally {
      await lazy.close()
    }
  }, 60_000)
})
