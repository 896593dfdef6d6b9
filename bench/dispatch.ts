// Tool dispatch overhead with the I/O taken out: read_file against an in-memory workspace, through the same
// path a model's tool call takes (argument parsing, validation, permission, events, rendering).
import { silentLogger } from '../src/log/logger.js'
import type { AgentEventBody } from '../src/session/events.js'
import { executeToolCall } from '../src/session/tool-call.js'
import { builtinTools } from '../src/tools/builtin/index.js'
import { createRegistry } from '../src/tools/registry.js'
import type { Workspace } from '../src/workspace/workspace.js'

const FILE = 'def main():\n    return 42\n'.repeat(20)

function memoryWorkspace(): Workspace {
  const unsupported = () => Promise.reject(new Error('not in the benchmark'))
  return {
    root: '/bench',
    roots: ['/bench'],
    backends: { read: 'local', write: 'local', terminal: 'local' },
    resolve: async (path) => `/bench/${path}`,
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

/** Microseconds per read_file call, median of several batches. */
export async function readFileDispatchMicros(calls = 2000, batches = 5): Promise<number> {
  const registry = createRegistry(builtinTools)
  const workspace = memoryWorkspace()
  const events: AgentEventBody[] = []
  const deps = {
    sessionId: 'bench',
    turnId: 'turn',
    registry,
    workspace,
    signal: new AbortController().signal,
    permissions: {
      mode: 'ask' as const,
      grants: { allowed: new Set<string>(), rejected: new Set<string>() },
      remember: () => undefined,
      ask: async () => 'allow_once' as const,
      cancelTurn: () => undefined,
    },
    emit: (body: AgentEventBody) => {
      events.push(body)
    },
    logger: silentLogger,
    newId: (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2)}`,
  }
  const call = (i: number) => ({
    id: `c${i}`,
    name: 'read_file',
    arguments: '{"path":"src/main.py","line":1,"limit":40}',
  })
  for (let i = 0; i < 200; i++) await executeToolCall(call(i), deps)
  const perBatch: number[] = []
  for (let b = 0; b < batches; b++) {
    events.length = 0
    const started = performance.now()
    for (let i = 0; i < calls; i++) await executeToolCall(call(i), deps)
    perBatch.push(((performance.now() - started) * 1000) / calls)
  }
  perBatch.sort((a, b) => a - b)
  return perBatch[Math.floor(perBatch.length / 2)] as number
}
