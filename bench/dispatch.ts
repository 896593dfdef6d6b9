// In-process dispatch benchmarks, with the I/O taken out: read_file against an in-memory workspace, and
// execute_code in the real sandbox, both through the path a model's tool call takes (parsing, validation,
// permission, events, rendering).
import { createExecuteCode, DEFAULT_CODE_LIMITS } from '../src/codemode/execute-code.js'
import { CodeSandbox } from '../src/codemode/sandbox.js'
import { toolStubs } from '../src/codemode/stubs.js'
import { DEFAULT_DEVTOOL_SETTINGS } from '../src/devtools/settings.js'
import { silentLogger } from '../src/log/logger.js'
import { PerfCollector, quantile } from '../src/perf/collector.js'
import type { AgentEvent, AgentEventBody } from '../src/session/events.js'
import { executeToolCall, type ToolCallDeps } from '../src/session/tool-call.js'
import { builtinTools } from '../src/tools/builtin/index.js'
import { createRegistry, type ToolRegistry } from '../src/tools/registry.js'
import type { Workspace } from '../src/workspace/workspace.js'

const FILE = 'def main():\n    return 42\n'.repeat(20)

function memoryWorkspace(): Workspace {
  const unsupported = () => Promise.reject(new Error('not in the benchmark'))
  return {
    root: '/bench',
    roots: ['/bench'],
    backends: { read: 'local', write: 'local', terminal: 'local' },
    resolve: async (path) => `/bench/${path}`,
    realPath: async (path) => `/bench/${path}`,
    display: (absolute) => absolute.slice('/bench/'.length),
    readText: async () => FILE,
    readDiskText: async () => FILE,
    writeText: unsupported,
    stat: async () => undefined,
    listDir: async () => [],
    walkFiles: async function* () {},
    createTerminal: unsupported,
    terminalOutput: unsupported,
    waitForTerminalExit: unsupported,
    killTerminal: unsupported,
    releaseTerminal: unsupported,
    dispose: async () => undefined,
  }
}

function dispatchDeps(registry: ToolRegistry, events: AgentEventBody[]): ToolCallDeps {
  let ids = 0
  return {
    sessionId: 'bench',
    turnId: 'turn',
    registry,
    workspace: memoryWorkspace(),
    signal: new AbortController().signal,
    permissions: {
      mode: 'ask',
      grants: { allowed: new Set<string>(), rejected: new Set<string>() },
      remember: () => undefined,
      ask: async () => 'allow_once',
      cancelTurn: () => undefined,
    },
    emit: (body) => {
      events.push(body)
    },
    logger: silentLogger,
    newId: (prefix) => `${prefix}_${ids++}`,
    memo: <T>(_key: string, make: () => T) => make(),
    project: { root: '/bench', memo: <T>(_key: string, make: () => T) => make() },
    settings: DEFAULT_DEVTOOL_SETTINGS,
  }
}

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0

/** Microseconds per read_file call, median of several batches. */
export async function readFileDispatchMicros(calls = 2000, batches = 5): Promise<number> {
  const events: AgentEventBody[] = []
  const deps = dispatchDeps(createRegistry(builtinTools), events)
  const call = (i: number) => ({
    id: `c${i}`,
    name: 'read_file',
    arguments: '{"path":"src/main.py","line":1,"limit":40}',
  })
  for (let i = 0; i < 1000; i++) await executeToolCall(call(i), deps)
  const perBatch: number[] = []
  for (let b = 0; b < batches; b++) {
    events.length = 0
    const started = performance.now()
    for (let i = 0; i < calls; i++) await executeToolCall(call(i), deps)
    perBatch.push(((performance.now() - started) * 1000) / calls)
  }
  return median(perBatch)
}

/** execute_code milliseconds: the first run (starts the sandbox), then medians of warm runs. */
export async function executeCodeMillis(runs = 20) {
  const sandbox = new CodeSandbox()
  const executeCode = createExecuteCode({
    sandbox: () => sandbox,
    tools: builtinTools,
    stubs: toolStubs(builtinTools),
    limits: DEFAULT_CODE_LIMITS,
  })
  const deps = dispatchDeps(createRegistry([...builtinTools, executeCode]), [])
  const time = async (code: string) => {
    const started = performance.now()
    const outcome = await executeToolCall(
      { id: 'x', name: 'execute_code', arguments: JSON.stringify({ code }) },
      deps,
    )
    if (outcome.failure) throw new Error(outcome.failure.message)
    return performance.now() - started
  }
  const trivialCode = '1 + 1'
  const tenCalls = 'for i in range(10):\n    read_file("src/main.py", line=1, limit=5)'
  const cold = await time(trivialCode)
  const trivial: number[] = []
  const ten: number[] = []
  for (let i = 0; i < runs; i++) {
    trivial.push(await time(trivialCode))
    ten.push(await time(tenCalls))
  }
  sandbox.dispose()
  return { cold, trivial: median(trivial), tenCalls: median(ten) }
}

/** Microseconds the collector spends on one turn's events (a model request, a tool call, another request). */
export function collectorMicrosPerTurn(turns = 5000): number {
  const event = (at: number, seq: number, body: AgentEventBody) =>
    ({ ...body, sessionId: 's', at, seq }) as AgentEvent
  const usage = { promptTokens: 900, completionTokens: 30, totalTokens: 930 }
  const turn = (i: number): AgentEvent[] => {
    const turnId = `t${i}`
    const toolCallId = `c${i}`
    return [
      event(i, 1, { type: 'turn.start', turnId, prompt: [] }),
      event(i, 2, { type: 'model.start', turnId, request: 1, model: 'm', baseURL: 'u' }),
      event(i, 3, { type: 'model.end', turnId, request: 1, ok: true, durationMs: 5, firstTokenMs: 1, usage }),
      event(i, 4, {
        type: 'tool.start',
        turnId,
        toolCallId,
        name: 'read_file',
        kind: 'read',
        title: 'Read',
        locations: [],
        input: {},
        content: [],
        backend: 'local',
      }),
      event(i, 5, {
        type: 'tool.end',
        turnId,
        toolCallId,
        name: 'read_file',
        status: 'completed',
        durationMs: 1,
      }),
      event(i, 6, { type: 'model.start', turnId, request: 2, model: 'm', baseURL: 'u' }),
      event(i, 7, { type: 'model.end', turnId, request: 2, ok: true, durationMs: 5, usage }),
      event(i, 8, { type: 'turn.end', turnId, stopReason: 'end_turn', durationMs: 12 }),
    ]
  }
  const batches = Array.from({ length: turns }, (_, i) => turn(i))
  const collector = new PerfCollector()
  const started = performance.now()
  for (const batch of batches) for (const e of batch) collector.add(e)
  return ((performance.now() - started) * 1000) / turns
}
