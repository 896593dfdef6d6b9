// A session's events reduced to what the session view draws: turns of prompts, messages, thoughts, tool cards
// and plans. Pure and incremental: `applyEvent` copies only the turn an event touches, so a stream of deltas
// costs little per event and unchanged turns keep their identity (the view skips them).

import type { AgentEvent, StopReason, ToolBackend } from '../../src/session/events.js'
import type { PromptBlock } from '../../src/session/prompt.js'
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from '../../src/tools/define.js'
import type { PermissionOutcome } from '../../src/tools/permission.js'

/** Every AgentEvent type, for the listeners on the event stream (the SSE event name is the type). */
export const EVENT_TYPES = [
  'turn.start',
  'message.delta',
  'thought.delta',
  'model.start',
  'model.request',
  'model.response',
  'model.end',
  'tool.start',
  'tool.update',
  'permission.request',
  'permission.response',
  'plan',
  'tool.end',
  'usage',
  'context.compacted',
  'session.title',
  'session.model',
  'session.mode',
  'session.toolMode',
  'session.cleared',
  'turn.end',
] as const satisfies readonly AgentEvent['type'][]

type Unlisted = Exclude<AgentEvent['type'], (typeof EVENT_TYPES)[number]>
/** Fails to compile when the union gains a type the list lacks. */
export const EVENT_TYPES_COMPLETE: [Unlisted] extends [never] ? true : Unlisted = true

export type ToolStatus = 'pending' | 'running' | 'completed' | 'failed'

export interface ToolCard {
  id: string
  name: string
  kind: ToolKind
  title: string
  status: ToolStatus
  backend: ToolBackend
  locations: ToolLocation[]
  input: unknown
  content: ToolContent[]
  output?: unknown
  error?: string
  durationMs?: number
  parentId?: string
  /** Calls made from this card's code (execute_code), in order. */
  children: string[]
  /** The permission answer, once given. */
  permission?: PermissionOutcome
}

export type Item =
  | { kind: 'message'; id: string; text: string }
  | { kind: 'thought'; id: string; text: string }
  | { kind: 'tool'; id: string }
  | { kind: 'plan'; id: string; entries: PlanEntry[] }
  | { kind: 'notice'; id: string; text: string }

export interface Tokens {
  prompt: number
  completion: number
}

export interface Turn {
  id: string
  prompt: string
  startedAt: number
  items: Item[]
  tools: Readonly<Record<string, ToolCard>>
  tokens: Tokens
  requests: number
  /** Set once the turn ended. */
  stopReason?: StopReason
  durationMs?: number
  /** The last failed model request's error. */
  error?: string
}

export interface PendingRequest {
  toolCallId: string
  turnId: string
  title: string
  scope: string
  at: number
  /** False where "always" is not offered (a sensitive write, a compound command). */
  allowAlways: boolean
}

export interface SessionView {
  turns: Turn[]
  /** The highest seq applied; events at or below it are dropped. */
  lastSeq: number
  /** Permission requests without an answer, in the order asked. */
  pending: PendingRequest[]
  plan: PlanEntry[] | null
  tokens: Tokens
  /** The last request's prompt size against the window, from `usage`. */
  context?: { tokens: number; window: number }
  title?: string
  model?: string
  mode?: string
}

export const emptyView = (): SessionView => ({
  turns: [],
  lastSeq: -1,
  pending: [],
  plan: null,
  tokens: { prompt: 0, completion: 0 },
})

export function reduceEvents(events: readonly AgentEvent[], from: SessionView = emptyView()): SessionView {
  let view = from
  for (const event of events) view = applyEvent(view, event)
  return view
}

export function promptText(blocks: readonly PromptBlock[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'text':
          return b.text
        case 'resource':
          return `[${b.uri}]`
        case 'resource_link':
          return `[${b.title ?? b.name}]`
        case 'image':
          return '[image]'
        default:
          return `[${b.kind}]`
      }
    })
    .join('\n')
}

/** The view after one more event; the same object when the event is old or changes nothing shown. */
export function applyEvent(view: SessionView, event: AgentEvent): SessionView {
  if (event.seq <= view.lastSeq) return view
  const next = { ...view, lastSeq: event.seq }
  switch (event.type) {
    case 'turn.start':
      next.turns = [
        ...view.turns,
        {
          id: event.turnId,
          prompt: promptText(event.prompt),
          startedAt: event.at,
          items: [],
          tools: {},
          tokens: { prompt: 0, completion: 0 },
          requests: 0,
        },
      ]
      return next
    case 'message.delta':
    case 'thought.delta': {
      const kind = event.type === 'message.delta' ? 'message' : 'thought'
      return withTurn(next, event.turnId, event.at, (turn) => {
        const items = turn.items
        const last = items[items.length - 1]
        // Deltas of one message arrive together; join them into the last item when it is the same message.
        if (last && last.kind === kind && last.id === event.messageId)
          return { ...turn, items: [...items.slice(0, -1), { ...last, text: last.text + event.text }] }
        const index = items.findIndex((i) => i.kind === kind && i.id === event.messageId)
        const found = items[index]
        if (found && (found.kind === 'message' || found.kind === 'thought')) {
          const copy = items.slice()
          copy[index] = { ...found, text: found.text + event.text }
          return { ...turn, items: copy }
        }
        return { ...turn, items: [...items, { kind, id: event.messageId, text: event.text }] }
      })
    }
    case 'tool.start':
      return withTurn(next, event.turnId, event.at, (turn) => {
        const card: ToolCard = {
          id: event.toolCallId,
          name: event.name,
          kind: event.kind,
          title: event.title,
          status: 'pending',
          backend: event.backend,
          locations: event.locations,
          input: event.input,
          content: event.content,
          children: [],
          ...(event.parentToolCallId ? { parentId: event.parentToolCallId } : {}),
        }
        const tools = { ...turn.tools, [card.id]: card }
        const parent = event.parentToolCallId ? turn.tools[event.parentToolCallId] : undefined
        if (parent) {
          tools[parent.id] = { ...parent, children: [...parent.children, card.id] }
          return { ...turn, tools }
        }
        return { ...turn, tools, items: [...turn.items, { kind: 'tool', id: card.id }] }
      })
    case 'tool.update':
      return withTool(next, event.turnId, event.toolCallId, (card) => ({
        ...card,
        ...(event.status === 'in_progress' && card.status === 'pending' ? { status: 'running' } : {}),
        ...(event.content ? { content: event.content } : {}),
        ...(event.title ? { title: event.title } : {}),
      }))
    case 'tool.end':
      return withTool(next, event.turnId, event.toolCallId, (card) => ({
        ...card,
        status: event.status,
        durationMs: event.durationMs,
        ...(event.output !== undefined ? { output: event.output } : {}),
        ...(event.error !== undefined ? { error: event.error } : {}),
        // An empty list keeps the preview (the diff), as the ACP mapping does for the IDE.
        ...(event.content?.length ? { content: event.content } : {}),
      }))
    case 'permission.request':
      next.pending = [
        ...view.pending.filter((p) => p.toolCallId !== event.toolCallId),
        {
          toolCallId: event.toolCallId,
          turnId: event.turnId,
          title: event.title,
          scope: event.scope,
          at: event.at,
          allowAlways: event.allowAlways !== false,
        },
      ]
      return next
    case 'permission.response': {
      next.pending = view.pending.filter((p) => p.toolCallId !== event.toolCallId)
      return withTool(next, event.turnId, event.toolCallId, (card) => ({
        ...card,
        permission: event.outcome,
      }))
    }
    case 'plan':
      next.plan = event.entries
      return withTurn(next, event.turnId, event.at, (turn) => {
        // One plan per turn, updated in place where it first appeared.
        const index = turn.items.findIndex((i) => i.kind === 'plan')
        const item: Item = { kind: 'plan', id: `plan-${turn.id}`, entries: event.entries }
        if (index < 0) return { ...turn, items: [...turn.items, item] }
        const items = turn.items.slice()
        items[index] = item
        return { ...turn, items }
      })
    case 'model.end': {
      const prompt = event.usage?.promptTokens ?? 0
      const completion = event.usage?.completionTokens ?? 0
      next.tokens = { prompt: view.tokens.prompt + prompt, completion: view.tokens.completion + completion }
      return withTurn(next, event.turnId, event.at, (turn) => {
        const updated: Turn = {
          ...turn,
          requests: turn.requests + (event.purpose ? 0 : 1),
          tokens: { prompt: turn.tokens.prompt + prompt, completion: turn.tokens.completion + completion },
        }
        if (!event.ok && event.error && event.error !== 'cancelled') updated.error = event.error
        // A request that succeeded after a failed one (a retry) means the turn went on.
        else if (event.ok && !event.purpose) delete updated.error
        return updated
      })
    }
    case 'usage':
      next.context = { tokens: event.usage.promptTokens, window: event.contextWindow }
      return next
    case 'context.compacted':
      return withTurn(next, event.turnId, event.at, (turn) => ({
        ...turn,
        items: [
          ...turn.items,
          {
            kind: 'notice',
            id: `compacted-${event.seq}`,
            text: `Context compacted: ${event.tokensBefore} → ${event.tokensAfter} tokens (${event.masked} masked, ${event.summarized} summarized)`,
          },
        ],
      }))
    case 'turn.end':
      // A request still waiting when its turn ends was withdrawn (the turn was cancelled).
      next.pending = view.pending.filter((p) => p.turnId !== event.turnId)
      return withTurn(next, event.turnId, event.at, (turn) => ({
        ...turn,
        stopReason: event.stopReason,
        durationMs: event.durationMs,
      }))
    case 'session.title':
      next.title = event.title
      return next
    case 'session.model':
      next.model = event.model
      return next
    case 'session.mode':
      next.mode = event.mode
      return next
    case 'session.cleared':
      return { ...emptyView(), lastSeq: event.seq, ...pick(view) }
    default:
      // model.start/request/response and session.toolMode change nothing the view draws.
      return next
  }
}

function pick(view: SessionView): Partial<SessionView> {
  return {
    ...(view.title !== undefined ? { title: view.title } : {}),
    ...(view.model !== undefined ? { model: view.model } : {}),
    ...(view.mode !== undefined ? { mode: view.mode } : {}),
  }
}

/** Applies `change` to the turn with this id; an event of an unknown turn (history cut short) opens one. */
function withTurn(view: SessionView, turnId: string, at: number, change: (turn: Turn) => Turn): SessionView {
  const turns = view.turns
  let index = -1
  for (let i = turns.length - 1; i >= 0; i--)
    if (turns[i]?.id === turnId) {
      index = i
      break
    }
  if (index < 0) {
    const opened: Turn = {
      id: turnId,
      prompt: '',
      startedAt: at,
      items: [],
      tools: {},
      tokens: { prompt: 0, completion: 0 },
      requests: 0,
    }
    view.turns = [...turns, change(opened)]
    return view
  }
  const copy = turns.slice()
  copy[index] = change(turns[index] as Turn)
  view.turns = copy
  return view
}

function withTool(
  view: SessionView,
  turnId: string,
  toolCallId: string,
  change: (card: ToolCard) => ToolCard,
): SessionView {
  const turn = view.turns.find((t) => t.id === turnId)
  if (!turn?.tools[toolCallId]) return view
  return withTurn(view, turnId, 0, (t) => ({
    ...t,
    tools: { ...t.tools, [toolCallId]: change(t.tools[toolCallId] as ToolCard) },
  }))
}

/** The turn running now: the last one, when it has not ended. */
export function runningTurn(view: SessionView): Turn | undefined {
  const last = view.turns[view.turns.length - 1]
  return last && last.stopReason === undefined ? last : undefined
}
