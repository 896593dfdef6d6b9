// Replays a cassette against this build: a fresh workspace with the recorded starting files, the same session
// core as the IDE with its tools running for real, and a model that answers from the cassette. Each request the
// agent sends is checked against the recorded one; the first step where they part is the result.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path'
import { type ClosableCore, createAgentCore } from '../core/core.js'
import type { Logger } from '../log/logger.js'
import { toWireMessages, toWireTools } from '../model/wire.js'
import type { AgentEvent } from '../session/events.js'
import { boundaryDirectories } from '../session/project.js'
import { createRegistry } from '../tools/registry.js'
import { LocalWorkspace } from '../workspace/local.js'
import {
  absolutize,
  type Cassette,
  CassetteError,
  type FullExchange,
  fullExchanges,
  type RecordedToolCall,
  relativize,
} from './cassette.js'
import { type ReplayAnswer, type ReplayServer, startReplayServer, type WireRequest } from './replay-server.js'

/** The first step where the replay parted from the recording. */
export interface ReplayDifference {
  /** 1-based, as a person counts them. */
  turn: number
  /** The model request of the turn (1-based), where the difference is in one. */
  request?: number
  /** Which part differs, in words: "message 4 (the result of read_file call_1)". */
  where: string
  expected: string
  actual: string
}

export interface ReplayReport {
  passed: boolean
  turns: number
  /** Model requests served from the cassette. */
  requests: number
  toolCalls: number
  difference?: ReplayDifference
  /** What the replay could not check (files whose start the session never saw whole). */
  notes: string[]
}

export interface ReplayOptions {
  logger: Logger
  /** Per turn; a turn that runs longer is cancelled and reported. */
  turnTimeoutMs?: number
}

const DEFAULT_TURN_TIMEOUT_MS = 120_000

export async function replayCassette(cassette: Cassette, options: ReplayOptions): Promise<ReplayReport> {
  // Before anything is made: a cassette whose requests do not chain is refused here.
  const recorded = fullExchanges(cassette)
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'punie-replay-')))
  const home = mkdtempSync(join(tmpdir(), 'punie-replay-home-'))
  const notes = cassette.unknownStart.map(
    (p) => `${p}: the session never read it whole at its start, so the replay starts without it`,
  )
  let difference: ReplayDifference | undefined
  let turnNumber = 0
  let exchanges: FullExchange[] = []
  let served = 0
  let servedInTurn = 0
  const differ = (d: ReplayDifference): ReplayAnswer => {
    difference ??= d
    return { kind: 'stop', reason: `replay stopped: ${d.where} differs from the recording` }
  }
  let server: ReplayServer | undefined
  let core: ClosableCore | undefined
  let toolCalls = 0
  try {
    server = await startReplayServer({
      ...(cassette.session.contextWindow ? { contextWindow: cassette.session.contextWindow } : {}),
      answer: (body) => {
        if (difference) return { kind: 'stop', reason: 'replay stopped at an earlier difference' }
        const expected = exchanges[servedInTurn]
        const request = servedInTurn + 1
        if (!expected) {
          return differ({
            turn: turnNumber,
            request,
            where: `model request ${request} (the recording's turn ended after ${exchanges.length})`,
            expected: '(no request)',
            actual: pretty(relativize(body.messages?.at(-1), [workspace])),
          })
        }
        const found = compareRequest(expected, relativize(body, [workspace]))
        if (found) return differ({ turn: turnNumber, request, ...found })
        servedInTurn++
        served++
        if (!expected.response) return { kind: 'fail', reason: expected.failed ?? 'failed in the recording' }
        return { kind: 'reply', response: absolutize(expected.response, workspace) }
      },
    })
    const textTools = cassette.turns.some((t) => t.exchanges.some((e) => e.textTools))
    core = await createAgentCore({
      home,
      database: join(home, 'punie.db'),
      env: { ...process.env, PUNIE_MODEL: undefined },
      logger: options.logger,
      flags: {
        model: server.spec,
        mode: cassette.session.mode,
        toolMode: cassette.session.toolMode,
        ...(textTools ? { toolFormat: 'text' as const } : {}),
      },
    })
    writeStartFiles(workspace, cassette.files.start)
    const asks = cassette.turns.flatMap((t, i) =>
      t.toolCalls.filter((c) => c.permission).map((c) => ({ turn: i + 1, call: c })),
    )
    const registry = createRegistry(core.builtinTools)
    const session = core.manager.create({
      cwd: workspace,
      surface: (record) => ({
        workspace: new LocalWorkspace(record.cwd, boundaryDirectories(record)),
        tools: registry,
        // The user's recorded answers, in the order the calls asked.
        askPermission: async (request) => {
          const next = asks.shift()
          if (!next || next.call.name !== request.toolName) {
            differ({
              turn: turnNumber,
              where: `permission request for ${request.toolName} (${request.title})`,
              expected: next
                ? `a permission request for ${next.call.name} (turn ${next.turn})`
                : '(no permission request)',
              actual: `a permission request for ${request.toolName}`,
            })
            return 'reject_once'
          }
          return next.call.permission ?? 'reject_once'
        },
      }),
    })
    session.setMode(cassette.session.mode)
    session.setToolMode(cassette.session.toolMode)
    for (const [index, turn] of cassette.turns.entries()) {
      turnNumber = index + 1
      exchanges = recorded[index] ?? []
      servedInTurn = 0
      session.setMode(turn.mode ?? cassette.session.mode)
      session.setToolMode(turn.toolMode ?? cassette.session.toolMode)
      const events: AgentEvent[] = []
      const unsubscribe = session.subscribe((event) => events.push(event))
      const timeoutMs = options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS
      const timer = setTimeout(() => {
        differ({
          turn: turnNumber,
          where: `the turn (it ran past ${Math.round(timeoutMs / 1000)} s)`,
          expected: 'the turn ends',
          actual: 'still running',
        })
        session.cancel()
      }, timeoutMs)
      try {
        await session.prompt([{ type: 'text', text: absolutize(turn.prompt, workspace) }])
      } finally {
        clearTimeout(timer)
        unsubscribe()
      }
      const made = callsOf(events, workspace)
      toolCalls += made.length
      if (difference) break
      if (servedInTurn < exchanges.length) {
        difference = {
          turn: turnNumber,
          request: servedInTurn + 1,
          where: `model request ${servedInTurn + 1} (this build's turn ended before sending it${session.lastFailure ? `: ${session.lastFailure}` : ''})`,
          expected: pretty(exchanges[servedInTurn]?.messages.at(-1)),
          actual: '(no request)',
        }
        break
      }
      difference = compareCalls(turnNumber, turn.toolCalls, made)
      if (difference) break
    }
    if (!difference) difference = compareEndFiles(cassette.turns.length, cassette.files.end, workspace)
    await core.manager.close(session.id)
  } finally {
    await core?.close()
    await server?.close()
    rmSync(workspace, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
  return {
    passed: difference === undefined,
    turns: difference ? difference.turn : cassette.turns.length,
    requests: served,
    toolCalls,
    ...(difference ? { difference } : {}),
    notes,
  }
}

/** A path of the cassette's files, checked to stay inside the workspace. */
export function workspacePath(root: string, path: string): string {
  const absolute = resolve(root, normalize(path))
  if (isAbsolute(path) || !absolute.startsWith(root + sep))
    throw new CassetteError(`the cassette's file ${JSON.stringify(path)} is outside the workspace`)
  return absolute
}

function writeStartFiles(root: string, files: Record<string, string | null>) {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) continue
    const absolute = workspacePath(root, path)
    mkdirSync(dirname(absolute), { recursive: true })
    writeFileSync(absolute, absolutize(content, root))
  }
}

/** The first difference between the recorded request and the one the agent sent (both relative). */
export function compareRequest(
  expected: FullExchange,
  actual: WireRequest,
): Omit<ReplayDifference, 'turn' | 'request'> | undefined {
  const want = toWireMessages(expected.messages, { textTools: expected.textTools ?? false })
  const got = Array.isArray(actual.messages) ? actual.messages : []
  const wantTools = expected.tools.length && !expected.textTools ? toWireTools(expected.tools) : []
  const gotTools = Array.isArray(actual.tools) ? actual.tools : []
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i]
    const g = got[i]
    if (JSON.stringify(w) === JSON.stringify(g)) continue
    const where = `message ${i + 1} of ${want.length} (${describeMessage(expected, i)})`
    const text = (m: unknown) =>
      m === undefined
        ? '(no message)'
        : typeof (m as { content?: unknown }).content === 'string' &&
            Object.keys(m as object).every((k) => k === 'role' || k === 'content' || k === 'tool_call_id')
          ? ((m as { content: string }).content as string)
          : pretty(m)
    return { where, expected: text(w), actual: text(g) }
  }
  if (JSON.stringify(wantTools) !== JSON.stringify(gotTools)) {
    const names = (tools: unknown[]) =>
      tools.map((t) => (t as { function?: { name?: string } }).function?.name ?? '?').join('\n')
    const sameNames = names(wantTools) === names(gotTools)
    return {
      where: sameNames ? 'the tool definitions offered' : 'the tools offered',
      expected: sameNames ? pretty(wantTools) : names(wantTools),
      actual: sameNames ? pretty(gotTools) : names(gotTools),
    }
  }
  return undefined
}

function describeMessage(exchange: FullExchange, index: number): string {
  const message = exchange.messages[index]
  if (!message) return 'past the recorded messages'
  if (message.role !== 'tool') return `${message.role} message`
  const call = exchange.messages
    .flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []) : []))
    .find((c) => c.id === message.toolCallId)
  return `the result of ${call ? `${call.name} ` : ''}call ${message.toolCallId}`
}

interface MadeCall {
  name: string
  input: unknown
  status?: 'completed' | 'failed'
}

function callsOf(events: readonly AgentEvent[], root: string): MadeCall[] {
  const calls = new Map<string, MadeCall>()
  for (const event of events) {
    if (event.type === 'tool.start')
      calls.set(event.toolCallId, { name: event.name, input: relativize(event.input, [root]) })
    if (event.type === 'tool.end') {
      const call = calls.get(event.toolCallId)
      if (call) call.status = event.status
    }
  }
  return [...calls.values()]
}

/** The tool calls of a turn, by order: name, input and whether it succeeded. */
export function compareCalls(
  turn: number,
  recorded: readonly RecordedToolCall[],
  made: readonly MadeCall[],
): ReplayDifference | undefined {
  for (let i = 0; i < Math.max(recorded.length, made.length); i++) {
    const r = recorded[i]
    const m = made[i]
    const want = r ? { name: r.name, input: r.input, status: r.status } : undefined
    const got = m ? { name: m.name, input: m.input, status: m.status } : undefined
    if (JSON.stringify(want) === JSON.stringify(got)) continue
    return {
      turn,
      where: `tool call ${i + 1} (${r ? `${r.name} ${r.id}` : m?.name})`,
      expected: want ? pretty(want) : '(no call)',
      actual: got ? pretty(got) : '(no call)',
    }
  }
  return undefined
}

function compareEndFiles(
  turn: number,
  end: Record<string, string | null>,
  root: string,
): ReplayDifference | undefined {
  for (const [path, want] of Object.entries(end)) {
    let got: string | null
    try {
      got = relativize(readFileSync(workspacePath(root, path), 'utf8'), [root])
    } catch {
      got = null
    }
    if (got === want) continue
    return {
      turn,
      where: `the file ${path} at the end`,
      expected: want ?? '(no file)',
      actual: got ?? '(no file)',
    }
  }
  return undefined
}

function pretty(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value, null, 2)
}
