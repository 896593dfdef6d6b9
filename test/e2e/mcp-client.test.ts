// The MCP client end to end: Punie as a child process over stdio (as an IDE runs it), a scripted model, and the
// real server-everything and server-filesystem processes that session/new (or the config) names.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type McpServer, methods, type SessionUpdate } from '@agentclientprotocol/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { processAlive } from '../../src/processes.js'
import { type SpawnedAgent, spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedIde } from '../helpers/ide.js'
import {
  descendantsRunning,
  EVERYTHING_SCRIPT,
  everythingServer,
  filesystemServer,
  startRemoteEverything,
} from '../helpers/mcp-servers.js'
import { type RecordedRequest, ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const linux = process.platform === 'linux'

let model: ScriptedModelServer
let home: ReturnType<typeof makeTempDir>
let workspace: ReturnType<typeof makeTempDir>
let outside: ReturnType<typeof makeTempDir>
const running: SpawnedAgent[] = []

beforeEach(async () => {
  model = await ScriptedModelServer.start()
  home = makeTempDir('punie-home-')
  workspace = makeTempDir('punie-ws-')
  outside = makeTempDir('punie-outside-')
})

afterEach(async () => {
  for (const agent of running.splice(0)) {
    agent.child.kill('SIGKILL')
    await agent.exited
  }
  await model.close()
  home.remove()
  workspace.remove()
  outside.remove()
})

function writeUserConfig(config: Record<string, unknown>) {
  writeFileSync(join(home.path, 'config.json'), JSON.stringify(config))
}

async function start(
  ide = new ScriptedIde({ fs: { readTextFile: false, writeTextFile: false }, terminal: false }),
  args: string[] = [],
) {
  const agent = spawnAgent({ home: home.path, args: ['--model', model.spec, ...args], ide })
  running.push(agent)
  await agent.harness.initialize()
  return { agent, acp: agent.harness, ide }
}

async function newSession(acp: SpawnedAgent['harness'], mcpServers: McpServer[] = []) {
  const { sessionId } = await acp.agent.request(methods.agent.session.new, {
    cwd: workspace.path,
    mcpServers,
  })
  return sessionId
}

const systemOf = (request: RecordedRequest | undefined) => request?.body.messages[0]?.content ?? ''
const toolResult = (request: RecordedRequest, id: string) =>
  request.body.messages.find((m) => m.role === 'tool' && m.tool_call_id === id)?.content ?? ''
const lastUser = (request: RecordedRequest | undefined) =>
  [...(request?.body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? ''

/** The model calls `name` once, then answers with what it read back. */
function scriptCall(id: string, name: string, args: Record<string, unknown>) {
  const read = { result: '' }
  model.enqueue({ toolCalls: [{ id, name, arguments: args }] }, (request) => {
    read.result = toolResult(request, id)
    return { text: 'done' }
  })
  return read
}

const cards = (updates: SessionUpdate[], id: string) =>
  updates.filter(
    (u) => (u.sessionUpdate === 'tool_call' || u.sessionUpdate === 'tool_call_update') && u.toolCallId === id,
  )

async function until(done: () => boolean, deadlineMs = 5000) {
  const deadline = Date.now() + deadlineMs
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
}

const agentLog = () =>
  readdirSync(join(home.path, 'logs'))
    .map((name) => readFileSync(join(home.path, 'logs', name), 'utf8'))
    .join('')

describe('MCP servers passed in session/new', () => {
  it("offers server-everything's tools in the model's first request, one line each, within a bounded size", async () => {
    const { acp } = await start()
    const plain = await newSession(acp)
    model.enqueue({ text: 'hi' }, { text: 'hi' })
    await acp.prompt(plain, 'hello')
    const withMcp = await newSession(acp, [everythingServer()])
    await acp.prompt(withMcp, 'hello')
    const [without, first] = model.chatRequests()
    const system = systemOf(first)
    expect(system).toContain('- everything__echo(message: str): Echoes back the input string')
    expect(system).toContain('- everything__get_sum(a: float, b: float)')
    expect(system).toContain('everything__trigger_long_running_operation(')
    // Listed, not offered as JSON tools: the schemas stay behind tool_help.
    expect(first?.body.tools?.some((t) => t.function.name.startsWith('everything__'))).toBe(false)
    const added = (first?.bytes ?? 0) - (without?.bytes ?? 0)
    console.log(`server-everything adds ${added} B to the first request (${first?.bytes} B in all)`)
    expect(added).toBeLessThanOrEqual(4096)
  })

  it('runs a tool the model calls after the user allows it, and the result reaches the model', async () => {
    const { acp, ide } = await start()
    ide.answerPermissions('allow_once')
    const sessionId = await newSession(acp, [everythingServer()])
    const read = scriptCall('c1', 'everything__get_sum', { a: 2, b: 40 })
    const response = await acp.prompt(sessionId, 'add 2 and 40')
    expect(response.stopReason).toBe('end_turn')
    expect(read.result).toContain('42')
    expect(ide.permissionRequests).toHaveLength(1)
    expect(ide.permissionRequests[0]?.toolCall.title).toBe('everything: get-sum')
    const statuses = cards(acp.updates(sessionId), 'c1').map((c) => ('status' in c ? c.status : undefined))
    expect(statuses.at(-1)).toBe('completed')
  })

  it('honours a rejected permission: the tool does not run and the model is told', async () => {
    const { acp, ide } = await start()
    ide.answerPermissions('reject_once')
    const sessionId = await newSession(acp, [everythingServer()])
    const read = scriptCall('c1', 'everything__echo', { message: 'secret-marker' })
    await acp.prompt(sessionId, 'echo')
    expect(read.result).toContain('the user rejected everything: echo secret-marker')
    expect(read.result).not.toMatch(/Echo: secret-marker/)
    expect(agentLog()).not.toContain('MCP call everything.echo')
    const last = cards(acp.updates(sessionId), 'c1').at(-1)
    expect(last && 'status' in last ? last.status : undefined).toBe('failed')
  })

  it('reaches the tools with call_tool in direct mode, through the same permission flow', async () => {
    const { acp, ide } = await start(undefined, ['--tools', 'direct'])
    ide.answerPermissions('allow_once')
    const sessionId = await newSession(acp, [everythingServer()])
    const read = scriptCall('d1', 'call_tool', { name: 'everything__get_sum', arguments: { a: 1, b: 2 } })
    await acp.prompt(sessionId, 'sum')
    const first = model.chatRequests()[0]
    expect(first?.body.tools?.map((t) => t.function.name)).toContain('call_tool')
    expect(systemOf(first)).toContain('- everything__get_sum(a: float, b: float)')
    expect(read.result).toContain('The sum of 1 and 2 is 3')
    expect(ide.permissionRequests.map((r) => r.toolCall.title)).toEqual(['everything: get-sum'])
  })

  it('gives Code Mode functions typed by the server schemas, structured content coming back as a dict', async () => {
    const { acp, ide } = await start()
    ide.answerPermissions('allow_once')
    const sessionId = await newSession(acp, [everythingServer()])
    const read = scriptCall('c1', 'execute_code', {
      code: 'r = everything__get_structured_content(location="Chicago")\nprint(type(r).__name__, r["temperature"] is not None)',
    })
    await acp.prompt(sessionId, 'weather')
    expect(read.result).toContain('dict True')
    const help = scriptCall('c2', 'tool_help', { names: ['everything__get_structured_content'] })
    await acp.prompt(sessionId, 'how is it called')
    expect(help.result).toContain('class EverythingGetStructuredContentResult(TypedDict)')
    expect(help.result).toContain(
      'def everything__get_structured_content(location: Literal["New York", "Chicago", "Los Angeles"]) -> EverythingGetStructuredContentResult:',
    )
  })

  it('shows progress on the card and stops a long-running call when the turn is cancelled', async () => {
    const { acp, ide } = await start()
    ide.answerPermissions('allow_once')
    const sessionId = await newSession(acp, [everythingServer()])
    model.enqueue({
      toolCalls: [
        {
          id: 'long',
          name: 'everything__trigger_long_running_operation',
          arguments: { duration: 60, steps: 60 },
        },
      ],
    })
    const turn = acp.prompt(sessionId, 'take your time')
    const progressed = () =>
      cards(acp.updates(sessionId), 'long').some(
        (c) =>
          c.sessionUpdate === 'tool_call_update' &&
          (c.content ?? []).some(
            (b) => b.type === 'content' && b.content.type === 'text' && /progress 1\/60/.test(b.content.text),
          ),
      )
    await acp.waitFor(progressed, 15_000)
    await acp.cancel(sessionId)
    expect((await turn).stopReason).toBe('cancelled')
    // The session carries on, and so does the server.
    const read = scriptCall('c2', 'everything__echo', { message: 'after cancel' })
    ide.answerPermissions('allow_once')
    await acp.prompt(sessionId, 'echo')
    expect(read.result).toContain('Echo: after cancel')
  })

  it.skipIf(!linux)(
    'tells the user and the model when the server was killed, and starts it again on the next call',
    async () => {
      const { agent, acp, ide } = await start()
      ide.defaultAnswer = 'allow_once'
      const sessionId = await newSession(acp, [everythingServer()])
      const first = scriptCall('c1', 'everything__echo', { message: 'one' })
      await acp.prompt(sessionId, 'echo one')
      expect(first.result).toContain('Echo: one')
      const [pid] = descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT)
      expect(pid).toBeDefined()
      process.kill(pid as number, 'SIGKILL')
      // The agent has noticed once it has logged it; the next turn then says so.
      await until(() => agentLog().includes('MCP server everything stopped'))
      const mark = acp.updates(sessionId).length
      const second = scriptCall('c2', 'everything__echo', { message: 'two' })
      const response = await acp.prompt(sessionId, 'echo two')
      expect(response.stopReason).toBe('end_turn')
      const said = acp.agentText(sessionId, mark)
      expect(said).toContain(
        'MCP server everything stopped (killed by SIGKILL); it starts again on its next use',
      )
      const request = model.chatRequests().at(-2)
      expect(lastUser(request)).toContain('[Punie: MCP server everything stopped (killed by SIGKILL)')
      expect(second.result).toContain('Echo: two')
      const after = descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT)
      expect(after).toHaveLength(1)
      expect(after[0]).not.toBe(pid)
    },
  )

  it.skipIf(!linux)('fails a call in flight with a clear message when the server dies under it', async () => {
    const { agent, acp, ide } = await start()
    ide.defaultAnswer = 'allow_once'
    const sessionId = await newSession(acp, [everythingServer()])
    const read = { result: '' }
    model.enqueue(
      {
        toolCalls: [
          {
            id: 'long',
            name: 'everything__trigger_long_running_operation',
            arguments: { duration: 60, steps: 60 },
          },
        ],
      },
      (request) => {
        read.result = toolResult(request, 'long')
        return { text: 'the server went away' }
      },
    )
    const turn = acp.prompt(sessionId, 'long')
    await acp.waitFor(() => cards(acp.updates(sessionId), 'long').length >= 3, 15_000)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    for (const pid of descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT))
      process.kill(pid, 'SIGKILL')
    expect((await turn).stopReason).toBe('end_turn')
    expect(read.result).toContain('MCP server everything stopped (killed by SIGKILL)')
    const again = scriptCall('c2', 'everything__get_sum', { a: 1, b: 1 })
    await acp.prompt(sessionId, 'sum')
    expect(again.result).toContain('2')
  })

  it('says so when a server cannot start, and the session works without it', async () => {
    const { acp } = await start()
    const dying = join(outside.path, 'dies.js')
    writeFileSync(dying, "process.stderr.write('fatal: no API token set\\n'); process.exit(3)\n")
    const sessionId = await newSession(acp, [
      { name: 'broken', command: join(outside.path, 'no-such-server'), args: [], env: [] },
      { name: 'dying', command: process.execPath, args: [dying], env: [] },
    ])
    model.enqueue({ text: 'fine' })
    const response = await acp.prompt(sessionId, 'hello')
    expect(response.stopReason).toBe('end_turn')
    expect(acp.agentText(sessionId)).toContain('MCP server broken could not start: no program')
    expect(acp.agentText(sessionId)).toMatch(
      /MCP server dying could not start: it stopped before it was ready \(exit code 3\)\. Its last output: fatal: no API token set/,
    )
    expect(acp.agentText(sessionId)).toContain('fine')
  })

  it.skipIf(!linux)(
    'answers session/new while a server is still starting, and kills it with the session',
    async () => {
      const { agent, acp } = await start()
      const hanging = `${join(outside.path, 'hangs')}`
      writeFileSync(hanging, 'setInterval(() => {}, 1000)\n')
      // A server that never answers initialize: session/new must not wait for it.
      const sessionId = await newSession(acp, [
        { name: 'slow', command: process.execPath, args: [hanging], env: [] },
      ])
      await until(() => descendantsRunning(agent.child.pid as number, hanging).length > 0)
      const pids = descendantsRunning(agent.child.pid as number, hanging)
      expect(pids).toHaveLength(1)
      await acp.agent.request(methods.agent.session.close, { sessionId })
      await until(() => pids.every((p) => !processAlive(p)))
      expect(pids.filter((p) => processAlive(p))).toEqual([])
    },
  )

  it('fails a call that goes quiet past the timeout, and caps what reaches the model', async () => {
    writeUserConfig({ mcpTimeoutMs: 1000, maxToolResultBytes: 1024 })
    const { acp, ide } = await start()
    ide.defaultAnswer = 'allow_once'
    const sessionId = await newSession(acp, [everythingServer()])
    const quiet = scriptCall('t1', 'everything__trigger_long_running_operation', { duration: 4, steps: 1 })
    await acp.prompt(sessionId, 'wait')
    expect(quiet.result).toContain(
      'MCP server everything did not answer trigger-long-running-operation within 1 s',
    )
    const long = scriptCall('t2', 'everything__echo', { message: 'y'.repeat(5000) })
    await acp.prompt(sessionId, 'echo a lot')
    expect(long.result).toContain('more not shown')
    expect(Buffer.byteLength(long.result)).toBeLessThanOrEqual(1024)
  })

  it.skipIf(!linux)('kills the server when the session closes', async () => {
    const { agent, acp } = await start()
    const sessionId = await newSession(acp, [everythingServer()])
    model.enqueue({ text: 'hi' })
    await acp.prompt(sessionId, 'hello')
    const pids = descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT)
    expect(pids).toHaveLength(1)
    await acp.agent.request(methods.agent.session.close, { sessionId })
    await until(() => pids.every((p) => !processAlive(p)))
    expect(pids.filter((p) => processAlive(p))).toEqual([])
  })

  it.skipIf(!linux)(
    'starts the servers session/load passes, and stops the ones of the surface it replaces',
    async () => {
      const { agent, acp, ide } = await start()
      ide.defaultAnswer = 'allow_once'
      const sessionId = await newSession(acp, [everythingServer()])
      model.enqueue({ text: 'hi' })
      await acp.prompt(sessionId, 'hello')
      const before = descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT)
      expect(before).toHaveLength(1)
      await acp.agent.request(methods.agent.session.load, {
        sessionId,
        cwd: workspace.path,
        mcpServers: [everythingServer('loaded')],
      })
      await until(() => before.every((p) => !processAlive(p)))
      expect(before.filter((p) => processAlive(p))).toEqual([])
      const read = scriptCall('c1', 'loaded__echo', { message: 'after load' })
      await acp.prompt(sessionId, 'echo')
      expect(read.result).toContain('Echo: after load')
    },
  )

  it.skipIf(!linux)(
    'kills the whole process group of a server started through a launcher, as npx starts one',
    async () => {
      const { agent, acp, ide } = await start()
      ide.defaultAnswer = 'allow_once'
      const launcher = join(outside.path, 'launcher.js')
      writeFileSync(
        launcher,
        [
          "const { spawn } = require('node:child_process')",
          `const child = spawn(process.execPath, [${JSON.stringify(EVERYTHING_SCRIPT)}], { stdio: 'inherit' })`,
          "child.on('exit', (code) => process.exit(code ?? 1))",
          // A helper that reads no stdin and ignores SIGTERM: only a SIGKILL to the group ends it.
          "spawn(process.execPath, ['-e', \"process.on('SIGTERM', () => {}); setInterval(() => {}, 1000) // punie-sleeper\"], { stdio: 'ignore' })",
        ].join('\n'),
      )
      const sessionId = await newSession(acp, [
        { name: 'launched', command: process.execPath, args: [launcher], env: [] },
      ])
      const read = scriptCall('c1', 'launched__echo', { message: 'through a launcher' })
      await acp.prompt(sessionId, 'echo')
      expect(read.result).toContain('Echo: through a launcher')
      const pids = [
        ...descendantsRunning(agent.child.pid as number, launcher),
        ...descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT),
        ...descendantsRunning(agent.child.pid as number, 'punie-sleeper'),
      ]
      expect(pids).toHaveLength(3)
      await acp.agent.request(methods.agent.session.close, { sessionId })
      await until(() => pids.every((p) => !processAlive(p)))
      expect(pids.filter((p) => processAlive(p))).toEqual([])
    },
  )

  it.skipIf(!linux)('takes the servers down with an agent that is killed', async () => {
    const { agent, acp } = await start()
    const sessionId = await newSession(acp, [everythingServer(), everythingServer('second')])
    model.enqueue({ text: 'hi' })
    await acp.prompt(sessionId, 'hello')
    const pids = descendantsRunning(agent.child.pid as number, EVERYTHING_SCRIPT)
    expect(pids).toHaveLength(2)
    agent.child.kill('SIGKILL')
    await agent.exited
    await until(() => pids.every((p) => !processAlive(p)))
    expect(pids.filter((p) => processAlive(p))).toEqual([])
  })

  it('offers resources through tools and prompts as slash commands', async () => {
    const { acp, ide } = await start()
    ide.defaultAnswer = 'allow_once'
    const sessionId = await newSession(acp, [everythingServer()])
    model.enqueue({ text: 'hi' })
    await acp.prompt(sessionId, 'hello')
    const commands = acp
      .updates(sessionId)
      .filter((u) => u.sessionUpdate === 'available_commands_update')
      .at(-1)
    const names =
      commands?.sessionUpdate === 'available_commands_update'
        ? commands.availableCommands.map((c) => c.name)
        : []
    expect(names).toContain('help')
    expect(names).toContain('mcp__everything__args-prompt')
    const listed = scriptCall('r1', 'everything__list_resources', {})
    await acp.prompt(sessionId, 'resources')
    expect(listed.result).toContain('demo://resource/static/document/architecture.md')
    const read = scriptCall('r2', 'everything__read_resource', {
      uri: 'demo://resource/static/document/architecture.md',
    })
    await acp.prompt(sessionId, 'read it')
    expect(read.result.length).toBeGreaterThan(100)
    model.enqueue({ text: 'about Paris' })
    await acp.prompt(sessionId, '/mcp__everything__args-prompt city=Paris')
    expect(lastUser(model.chatRequests().at(-1))).toContain('Paris')
  })
})

describe('MCP servers over HTTP', () => {
  for (const [type, kind] of [
    ['http', 'streamableHttp'],
    ['sse', 'sse'],
  ] as const) {
    it(`reaches server-everything over ${type}, as initialize advertises`, async () => {
      const remote = await startRemoteEverything(kind)
      try {
        const { acp, ide } = await start()
        const init = await acp.initialize()
        expect(init.agentCapabilities?.mcpCapabilities?.[type]).toBe(true)
        ide.answerPermissions('allow_once')
        const sessionId = await newSession(acp, [{ type, name: 'remote', url: remote.url, headers: [] }])
        const read = scriptCall('h1', 'remote__echo', { message: `over ${type}` })
        await acp.prompt(sessionId, 'echo')
        expect(read.result).toContain(`Echo: over ${type}`)
      } finally {
        await remote.stop()
      }
    })
  }
})

describe('server-filesystem outside the workspace', () => {
  it('shows what will be read with the permission request, and reads nothing without a yes', async () => {
    writeFileSync(join(outside.path, 'secret.txt'), 'the-outside-secret\n')
    const { acp, ide } = await start()
    ide.answerPermissions('reject_once', 'allow_once')
    const sessionId = await newSession(acp, [filesystemServer(outside.path)])
    const path = join(outside.path, 'secret.txt')
    const rejected = scriptCall('f1', 'filesystem__read_text_file', { path })
    await acp.prompt(sessionId, 'read the secret')
    const request = ide.permissionRequests[0]
    expect(request?.toolCall.title).toBe(`filesystem: read_text_file ${path}`)
    expect(request?.toolCall.locations).toEqual([{ path }])
    const shown = JSON.stringify(request?.toolCall.content)
    expect(shown).toContain('MCP server filesystem')
    expect(shown).toContain(path)
    expect(rejected.result).toContain('the user rejected')
    expect(rejected.result).not.toContain('the-outside-secret')
    expect(agentLog()).not.toContain('MCP call filesystem.read_text_file')
    const allowed = scriptCall('f2', 'filesystem__read_text_file', { path })
    await acp.prompt(sessionId, 'read it now')
    expect(allowed.result).toContain('the-outside-secret')
    expect(agentLog()).toContain('MCP call filesystem.read_text_file')
  })

  it("fails the call with the server's own message when it answers isError", async () => {
    const { acp, ide } = await start()
    ide.defaultAnswer = 'allow_once'
    const sessionId = await newSession(acp, [filesystemServer(outside.path)])
    const missing = scriptCall('f1', 'filesystem__read_text_file', {
      path: join(outside.path, 'missing.txt'),
    })
    await acp.prompt(sessionId, 'read a missing file')
    expect(missing.result).toMatch(/^Error: .*(ENOENT|no such file)/)
    const last = cards(acp.updates(sessionId), 'f1').at(-1)
    expect(last && 'status' in last ? last.status : undefined).toBe('failed')
    // A path the server does not serve is its refusal to make, and the model reads it.
    const refused = scriptCall('f2', 'filesystem__read_text_file', { path: join(workspace.path, 'x.txt') })
    await acp.prompt(sessionId, 'read outside what it serves')
    expect(refused.result).toMatch(/^Error: .*(denied|outside|not allowed)/i)
  })
})

describe('MCP servers from the config', () => {
  const everythingConfig = () => ({ command: process.execPath, args: [EVERYTHING_SCRIPT] })

  it("starts the user's servers, and tools the user trusts run without asking", async () => {
    writeUserConfig({ mcpServers: { everything: everythingConfig() }, mcpTrust: { everything: ['echo'] } })
    const { acp, ide } = await start()
    const sessionId = await newSession(acp)
    const read = scriptCall('c1', 'everything__echo', { message: 'trusted' })
    await acp.prompt(sessionId, 'echo')
    expect(systemOf(model.chatRequests()[0])).toContain('everything__echo(')
    expect(read.result).toContain('Echo: trusted')
    expect(ide.permissionRequests).toHaveLength(0)
  })

  it('believes readOnlyHint only where the user says so', async () => {
    writeUserConfig({ mcpServers: { everything: everythingConfig() }, mcpTrust: { everything: 'read-only' } })
    const { acp, ide } = await start()
    ide.defaultAnswer = 'reject_once'
    const sessionId = await newSession(acp)
    const readOnly = scriptCall('c1', 'everything__get_sum', { a: 1, b: 2 })
    await acp.prompt(sessionId, 'sum')
    expect(readOnly.result).toContain('3')
    expect(ide.permissionRequests).toHaveLength(0)
    const writes = scriptCall('c2', 'everything__toggle_simulated_logging', {})
    await acp.prompt(sessionId, 'toggle')
    expect(ide.permissionRequests).toHaveLength(1)
    expect(writes.result).toContain('the user rejected')
  })

  it("starts a project's servers only once the user trusts the project", async () => {
    const marker = join(outside.path, 'started')
    const server = {
      command: process.execPath,
      args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`],
    }
    writeFileSync(join(workspace.path, '.mcp.json'), JSON.stringify({ mcpServers: { project: server } }))
    mkdirSync(join(workspace.path, '.punie'))
    writeFileSync(
      join(workspace.path, '.punie', 'config.json'),
      JSON.stringify({ mcpServers: { other: server } }),
    )
    const { acp } = await start()
    const sessionId = await newSession(acp)
    model.enqueue({ text: 'hi' }, { text: 'hi' })
    await acp.prompt(sessionId, 'hello')
    const said = acp.agentText(sessionId)
    expect(said).toContain('MCP servers in')
    expect(said).toContain('not started (project): the project is not trusted')
    expect(said).toContain(`punie trust ${workspace.path}`)
    expect(said).toMatch(/mcpServers .*the project is not trusted/)
    expect(existsSync(marker)).toBe(false)
    writeUserConfig({ trustedProjects: [workspace.path] })
    const trusted = await newSession(acp)
    await acp.prompt(trusted, 'hello')
    expect(existsSync(marker)).toBe(true)
  })
})
