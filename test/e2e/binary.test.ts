// `punie` as a child process over stdio, exactly as an IDE runs it.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_PORTS } from '../../src/model/servers/commands.js'
import { LOCAL_CANDIDATES } from '../../src/model/spec.js'
import { BIN } from '../helpers/acp-harness.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { useSpawnedAgents } from '../helpers/spawned-agents.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)

async function punie(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('the punie command line', () => {
  it('prints help and version', async () => {
    const help = await punie(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: punie')
    expect(help.stdout).toContain('--model <spec>')
    const version = await punie(['--version'])
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(version.stdout.trim()).toBe(pkg.version)
  })

  it('refuses a model spec it cannot parse with one clear line and exit code 2', async () => {
    const home = makeTempDir()
    const result = await punie(['--model', 'warpdrive:x'], { PUNIE_HOME: home.path })
    home.remove()
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toMatch(/^punie: invalid --model: unknown provider "warpdrive"/)
    expect(result.stdout).toBe('')
  })

  it('lists the tools as a table and as JSON', async () => {
    const table = await punie(['tools'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^name\s+kind\s+asks\s+description/)
    expect(table.stdout).toMatch(/\nrun_command\s+execute\s+yes\s+Run a shell command/)
    expect(table.stdout).toMatch(/\nformat\s+edit\s+before writing\s+Format Python/)
    expect(table.stdout).toMatch(/\nlint\s+read\s+when fix=true\s+Lint Python/)
    expect(table.stdout).toMatch(/\nexecute_code\s+other\s+per tool it calls\s+Run a Python snippet/)
    const json = await punie(['tools', '--json'])
    const listed = JSON.parse(json.stdout) as {
      name: string
      kind: string
      permission: string
      inputSchema: { type: string; properties: object }
    }[]
    expect(listed.map((t) => t.name)).toContain('edit_file')
    expect(listed.find((t) => t.name === 'rename_symbol')).toMatchObject({ asks: 'before writing' })
    expect(listed.find((t) => t.name === 'execute_code')).toMatchObject({
      inputSchema: { required: ['code'] },
    })
    const edit = listed.find((t) => t.name === 'edit_file')
    expect(edit).toMatchObject({
      kind: 'edit',
      permission: 'ask',
      inputSchema: { type: 'object', required: ['path', 'old', 'new'] },
    })
    for (const tool of listed) expect(tool.inputSchema.type, tool.name).toBe('object')
  })

  it('serves on a port no local model server uses by default and `local` does not probe', async () => {
    const help = await punie(['serve', '--help'])
    const port = Number(/--port <number>.*\(default: (\d+)\)/.exec(help.stdout)?.[1])
    expect(port).toBeGreaterThan(0)
    const modelServerPorts = [
      ...LOCAL_CANDIDATES.map((c) => Number(new URL(c.baseURL).port)),
      ...Object.values(DEFAULT_PORTS),
    ]
    expect(modelServerPorts).not.toContain(port)
    expect(readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8')).toContain(
      `--port ${port}]`,
    )
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(`127.0.0.1:${port}:`)
  })

  it('says a command it does not know is unknown, with the way to the help, and exits 2', async () => {
    const home = makeTempDir()
    const result = await punie(['bogus'], { PUNIE_HOME: home.path })
    const near = await punie(['serv'], { PUNIE_HOME: home.path })
    home.remove()
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^punie: unknown command 'bogus'\nRun `punie --help` for the commands: acp, serve, dashboard, ask/,
    )
    expect(result.stdout).toBe('')
    expect(near.stderr).toContain("unknown command 'serv' (did you mean serve or server?)")
  })

  it('names the settings file and field it cannot use, in one line, when a command starts', async () => {
    const home = makeTempDir()
    const config = join(home.path, 'config.json')
    writeFileSync(config, JSON.stringify({ requestTimeoutMs: 'soon' }))
    const serve = await punie(['serve', '--port', '0'], { PUNIE_HOME: home.path })
    const ask = await punie(['ask', '--no-server', 'hello'], { PUNIE_HOME: home.path })
    home.remove()
    const line = `settings file ${config}: field "requestTimeoutMs": expected number, received string`
    expect(serve.code).toBe(1)
    expect(serve.stderr).toBe(`punie: ${line}\n`)
    expect(ask.code).toBe(1)
    expect(ask.stderr).toBe(`punie ask (in-process): ${line}\n`)
  })

  it('refuses an unknown log level', async () => {
    const result = await punie(['--log-level', 'chatty'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('use one of debug, info, warn, error, silent')
  })
})

describe('punie over stdio', () => {
  const agents = useSpawnedAgents()
  const start = (args: string[] = []) => agents.start(args)

  it('answers a prompt with a tool call, writing only protocol frames to stdout and logs to the log file', async () => {
    writeFileSync(join(agents.workspace, 'main.py'), 'print("hi")\n')
    const agent = start(['--log-level', 'debug'])
    const acp = agent.harness
    await acp.initialize()
    const { sessionId } = await acp.newSession(agents.workspace)
    agents.model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'main.py' } }] },
      { text: 'It prints hi.' },
    )
    const result = await acp.prompt(sessionId, 'What does main.py do?')
    expect(result.stopReason).toBe('end_turn')
    expect(acp.agentText(sessionId)).toBe('It prints hi.')
    expect(agents.model.chatRequests()[1]?.body.messages.at(-1)?.content).toBe('print("hi")\n')
    await acp.close()
    expect(await agent.exited).toBe(0)

    expect(agent.strayStdout).toEqual([])
    const initializeAnswers = agent.stdoutLines
      .map((l) => JSON.parse(l))
      .filter((m) => m.result?.protocolVersion === 1)
    expect(initializeAnswers).toHaveLength(1)
    expect(agent.stderr()).toBe('')
    const log = readFileSync(join(agents.home, 'logs', 'punie.log'), 'utf8')
    expect(log).toContain('starting ACP over stdio')
    expect(log).toContain(`session ${sessionId} created`)
    expect(existsSync(join(agents.home, 'punie.db'))).toBe(true)
  })

  it('still refuses requests before initialize when a client skips it', async () => {
    const agent = start()
    await expect(agent.harness.newSession(agents.workspace)).rejects.toMatchObject({ code: -32600 })
    await agent.harness.initialize()
    expect((await agent.harness.newSession(agents.workspace)).sessionId).toBeTruthy()
  })

  it('runs Code Mode with --tools code, and what the Python prints never reaches stdout', async () => {
    writeFileSync(join(agents.workspace, 'm.py'), 'x = 1\n')
    const agent = start(['--tools', 'code'])
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(agents.workspace)
    agents.model.enqueue(
      {
        toolCalls: [
          {
            name: 'execute_code',
            arguments: { code: 'print("hello from python")\nread_file("m.py")["content"]' },
          },
        ],
      },
      (r) => ({ text: `Sandbox said: ${r.body.messages.at(-1)?.content}` }),
    )
    await agent.harness.prompt(sessionId, 'run it')
    expect(agents.model.chatRequests()[0]?.body.tools?.map((t) => t.function.name)).toEqual(['execute_code'])
    expect(agent.harness.agentText(sessionId)).toBe(
      'Sandbox said: hello from python\nResult: "x = 1\\n"\n(1 tool call)',
    )
    await agent.harness.close()
    expect(agent.strayStdout).toEqual([])
    expect(agent.stdoutLines.some((l) => l.includes('hello from python') && !l.startsWith('{'))).toBe(false)
  })

  it('answers a malformed JSON line with a parse error and keeps the connection up', async () => {
    const agent = start()
    await agent.harness.initialize()
    agent.child.stdin?.write('{"jsonrpc": "2.0", "id": 7, "method": \n')
    const { sessionId } = await agent.harness.newSession(agents.workspace)
    expect(sessionId).toBeTruthy()
    const parseError = agent.stdoutLines.map((l) => JSON.parse(l)).find((m) => m.error?.code === -32700)
    expect(parseError).toMatchObject({ id: null, error: { code: -32700 } })
  })

  it('answers a line over the SDK message limit with an error reply and keeps the connection up', async () => {
    const { DEFAULT_MAX_MESSAGE_BYTES } = await import('@agentclientprotocol/sdk')
    const agent = start()
    await agent.harness.initialize()
    const head =
      '{"jsonrpc":"2.0","id":4242,"method":"session/prompt","params":{"sessionId":"x","prompt":[{"type":"text","text":"'
    const filler = 'a'.repeat(DEFAULT_MAX_MESSAGE_BYTES)
    // Wait until it is flushed: Node's web adapter of stdin, which the harness writes through, loses a write made
    // while a direct one is still pending.
    await new Promise((resolve) => agent.child.stdin?.write(`${head}${filler}"}]}}\n`, resolve))
    const { sessionId } = await agent.harness.newSession(agents.workspace)
    expect(sessionId).toBeTruthy()
    const reply = agent.stdoutLines.map((l) => JSON.parse(l)).find((m) => m.id === 4242)
    expect(reply).toMatchObject({ id: 4242, error: { code: -32600 } })
    expect(reply.error.message).toMatch(/over the \d+-byte limit/)
    expect(agent.stdoutLines.every((l) => l.length < 10_000)).toBe(true)
    expect(agent.child.exitCode).toBeNull()
  })

  it('does not echo a huge invalid message or method name back whole', async () => {
    const agent = start()
    await agent.harness.initialize()
    const huge = 'x'.repeat(1_000_000)
    const lines = [JSON.stringify(huge), JSON.stringify({ jsonrpc: '2.0', id: 77, method: huge, params: {} })]
    // Flushed before the harness writes again (see the message-limit test).
    await new Promise((resolve) => agent.child.stdin?.write(`${lines.join('\n')}\n`, resolve))
    // Answered in order: once session/list is, both errors before it are in.
    await agent.harness.agent.request(methods.agent.session.list, {})
    const errors = agent.stdoutLines.map((l) => JSON.parse(l)).filter((m) => m.error)
    expect(errors.map((m) => m.error.code)).toEqual([-32600, -32601])
    const sizes = agent.stdoutLines.filter((l) => l.includes('"error"')).map((l) => l.length)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(5000)
    for (const error of errors) expect(JSON.stringify(error.error)).toMatch(/\d{6,} (more )?characters\)/)
  })

  it('replays a session with session/load after the agent process was killed', async () => {
    const first = start()
    await first.harness.initialize()
    const { sessionId } = await first.harness.newSession(agents.workspace)
    agents.model.enqueue({ text: 'Paris is the capital of France.' })
    await first.harness.prompt(sessionId, 'What is the capital of France?')
    first.child.kill('SIGKILL')
    await first.exited

    const second = start()
    await second.harness.initialize()
    const listed = await second.harness.agent.request(methods.agent.session.list, { cwd: agents.workspace })
    expect(listed.sessions.map((s) => s.sessionId)).toEqual([sessionId])
    expect(listed.sessions[0]?.title).toBe('What is the capital of France?')
    await second.harness.loadSession(sessionId, agents.workspace)
    const replayed = second.harness.updates(sessionId)
    expect(replayed[0]).toMatchObject({
      sessionUpdate: 'user_message_chunk',
      content: { type: 'text', text: 'What is the capital of France?' },
    })
    expect(second.harness.agentText(sessionId)).toBe('Paris is the capital of France.')

    agents.model.enqueue({ text: 'About 2.1 million people.' })
    const mark = second.harness.updates(sessionId).length
    await second.harness.prompt(sessionId, 'How many people live there?')
    expect(second.harness.agentText(sessionId, mark)).toBe('About 2.1 million people.')
    expect(agents.model.chatRequests()[1]?.body.messages.map((m) => m.content)).toContain(
      'Paris is the capital of France.',
    )
  })

  it('tells the user when no model server answers, and keeps the session usable', async () => {
    const port = agents.model.port
    await agents.model.close()
    const agent = start()
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(agents.workspace)
    // The prompt fails with the reason (no stop reason says "failed" in ACP v1); the transcript says it too.
    const failed = await agent.harness.prompt(sessionId, 'hello').then(
      () => undefined,
      (error: { code: number; message: string }) => error,
    )
    expect(failed?.code).toBe(-32603)
    expect(failed?.message).toMatch(/^No model server answered at /)
    expect(agent.harness.agentText(sessionId)).toMatch(
      new RegExp(`No model server answered at http://127.0.0.1:${port}/v1 \\(connection refused\\)\\. Fix:`),
    )
    expect(agent.harness.agentText(sessionId)).not.toMatch(/broke off/)
    const revived = await ScriptedModelServer.start(port)
    onTestFinished(() => revived.close())
    revived.enqueue({ text: 'hello back' })
    const mark = agent.harness.updates(sessionId).length
    await agent.harness.prompt(sessionId, 'hello again')
    expect(agent.harness.agentText(sessionId, mark)).toBe('hello back')
  })
})
