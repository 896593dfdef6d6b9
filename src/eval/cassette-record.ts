// Builds a cassette from a session's stored record and events: the requests rebuilt from their logged deltas,
// the answers, the tool calls, and what the events tell of each touched file at the start and the end. Pure.
import { isAbsolute, relative } from 'node:path'
import type { AgentEvent } from '../session/events.js'
import type { SessionRecord } from '../session/ports.js'
import { promptToModelText } from '../session/prompt.js'
import { RequestRebuilder } from '../session/request-log.js'
import {
  CASSETTE_VERSION,
  type Cassette,
  CassetteError,
  type CassetteTurn,
  deltaExchanges,
  type FullExchange,
  type RecordedToolCall,
  relativize,
} from './cassette.js'

interface FileKnowledge {
  start: Map<string, string | null>
  end: Map<string, string | null>
  unknownStart: Set<string>
}

export function cassetteFrom(input: {
  record: SessionRecord
  events: readonly AgentEvent[]
  punieVersion: string
  now?: Date
}): Cassette {
  const { record, events } = input
  // Only the cwd: a replay's workspace is the cwd (a git root above it is not recreated).
  const roots = [record.cwd]
  const rel = (path: string) => {
    const r = isAbsolute(path) ? relative(record.cwd, path) : path
    return r.split('\\').join('/')
  }
  const turns: CassetteTurn[] = []
  const rebuild = new RequestRebuilder()
  const files: FileKnowledge = { start: new Map(), end: new Map(), unknownStart: new Set() }
  const calls = new Map<string, RecordedToolCall & { diffs: Diff[] }>()
  let current: CassetteTurn | undefined
  let pendingRequest: Omit<FullExchange, 'response'> | undefined
  // Whole requests, per turn; written as deltas again once the failed requests are left out.
  const full: FullExchange[][] = []
  let contextWindow: number | undefined
  let sawRequests = false
  // The modes in force: set by the session's mode events; before the first, the record's (the latest) stands.
  let mode: SessionRecord['mode'] | undefined
  let toolMode: SessionRecord['toolMode'] | undefined
  for (const event of events) {
    switch (event.type) {
      case 'turn.start':
        current = {
          prompt: promptToModelText(event.prompt),
          mode: mode ?? record.mode,
          toolMode: toolMode ?? record.toolMode,
          exchanges: [],
          toolCalls: [],
          answer: '',
        }
        turns.push(current)
        full.push([])
        break
      case 'session.mode':
        mode = event.mode
        break
      case 'session.toolMode':
        toolMode = event.toolMode
        break
      case 'model.request': {
        sawRequests = true
        const built = rebuild.apply(event)
        pendingRequest = {
          request: event.request,
          messages: built.messages,
          tools: built.tools,
          ...(event.textTools ? { textTools: true } : {}),
          ...(event.purpose ? { purpose: event.purpose } : {}),
        }
        break
      }
      case 'model.response':
        if (
          current &&
          pendingRequest?.request === event.request &&
          pendingRequest.purpose === event.purpose
        ) {
          full[full.length - 1]?.push({
            ...pendingRequest,
            response: {
              text: event.text,
              ...(event.reasoning ? { reasoning: event.reasoning } : {}),
              ...(event.toolCalls ? { toolCalls: event.toolCalls } : {}),
              finish: event.finish,
              ...(event.usage ? { usage: event.usage } : {}),
            },
          })
        }
        pendingRequest = undefined
        break
      case 'model.end':
        // A request the model server failed is kept, to fail again; a cancelled one cannot be replayed.
        if (
          !event.ok &&
          event.error &&
          event.error !== 'cancelled' &&
          pendingRequest?.request === event.request &&
          pendingRequest.purpose === event.purpose
        )
          full[full.length - 1]?.push({ ...pendingRequest, failed: event.error })
        pendingRequest = undefined
        break
      case 'usage':
        contextWindow = event.contextWindow
        break
      case 'tool.start': {
        const call = {
          id: event.toolCallId,
          name: event.name,
          input: event.input,
          ...(event.parentToolCallId ? { parentId: event.parentToolCallId } : {}),
          diffs: diffsOf(event.content),
        }
        calls.set(event.toolCallId, call)
        current?.toolCalls.push(call)
        break
      }
      case 'tool.update': {
        const call = calls.get(event.toolCallId)
        if (call && event.content) call.diffs.push(...diffsOf(event.content))
        break
      }
      case 'permission.response': {
        const call = calls.get(event.toolCallId)
        if (call) call.permission = event.outcome
        break
      }
      case 'tool.end': {
        const call = calls.get(event.toolCallId)
        if (!call) break
        call.status = event.status
        if (event.output !== undefined) call.output = event.output
        if (event.error !== undefined) call.error = event.error
        if (event.content) call.diffs.push(...diffsOf(event.content))
        learnFiles(files, call, rel)
        break
      }
      case 'message.delta':
        if (current) current.answer += event.text
        break
      case 'turn.end':
        if (current) current.stopReason = event.stopReason
        break
    }
  }
  if (turns.length && !sawRequests)
    throw new CassetteError(
      `session ${record.id} was recorded by a Punie that did not log model requests: it cannot be replayed`,
    )
  const deltas = deltaExchanges(full)
  const cassette: Cassette = {
    cassette: CASSETTE_VERSION,
    punieVersion: input.punieVersion,
    recordedAt: (input.now ?? new Date()).toISOString(),
    session: {
      id: record.id,
      ...(record.title ? { title: record.title } : {}),
      model: record.model,
      mode: record.mode,
      toolMode: record.toolMode,
      ...(contextWindow ? { contextWindow } : {}),
    },
    files: {
      start: Object.fromEntries(files.start),
      end: Object.fromEntries(files.end),
    },
    unknownStart: [...files.unknownStart].filter((p) => !files.start.has(p)),
    turns: turns.map((t, i) => ({
      ...t,
      exchanges: deltas[i] ?? [],
      toolCalls: t.toolCalls.map((call) => {
        const { diffs: _diffs, ...kept } = call as RecordedToolCall & { diffs?: Diff[] }
        return kept
      }),
    })),
  }
  return relativize(cassette, roots)
}

interface Diff {
  path: string
  oldText: string | null
  newText: string
}

function diffsOf(content: readonly { type: string }[] | undefined): Diff[] {
  return (content ?? []).filter((c): c is Diff & { type: 'diff' } => c.type === 'diff')
}

/**
 * What a finished call tells of files: a whole read shows the content (the start, if nothing was known
 * before); a completed write's diff shows the content before (the start, likewise) and after (the end).
 */
function learnFiles(
  files: FileKnowledge,
  call: RecordedToolCall & { diffs: Diff[] },
  rel: (path: string) => string,
): void {
  if (call.status !== 'completed') return
  const seen = (path: string, before: string | null | undefined, after: string | null) => {
    if (path.startsWith('..') || isAbsolute(path)) return
    if (before !== undefined && !files.start.has(path) && !files.end.has(path)) files.start.set(path, before)
    else if (before === undefined && !files.end.has(path)) files.unknownStart.add(path)
    files.end.set(path, after)
  }
  const output = call.output as
    | { path?: unknown; content?: unknown; truncated?: unknown; startLine?: unknown }
    | undefined
  if (call.name === 'read_file' && typeof output?.path === 'string') {
    const whole = output.truncated === false && output.startLine === 1 && typeof output.content === 'string'
    const path = rel(output.path)
    if (whole) seen(path, output.content as string, output.content as string)
    else if (!files.end.has(path)) files.unknownStart.add(path)
    return
  }
  // The same diff may come in the preview and again in the result: the first gives the before.
  const done = new Set<string>()
  for (const diff of call.diffs) {
    const path = rel(diff.path)
    if (done.has(path)) {
      files.end.set(path, diff.newText)
      continue
    }
    done.add(path)
    seen(path, diff.oldText, diff.newText)
  }
}
