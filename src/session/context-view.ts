// The model's view of a session's history: which old tool results it sees as placeholders, which early turns
// a summary stands for, and the token arithmetic that decides both. Pure: the history itself is never changed.
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from '../model/token-estimate.js'
import type { ChatMessage, ToolCallRequest, ToolSchema } from '../model/types.js'

/** What of the history a request carries; persisted so a reloaded session continues with the same view. */
export interface ContextState {
  /** Tool results (and long tool-call arguments) before this history index appear as one-line placeholders. */
  maskedBefore: number
  /** History from after the first user message up to `through` (a turn's start) appears as this summary. */
  summary?: { text: string; through: number }
}

export const EMPTY_CONTEXT: ContextState = { maskedBefore: 0 }

/** Results this short cost less than their placeholder's loss of information; they stay. */
export const MASK_MIN_CHARS = 240
/** Tool-call argument strings longer than this (file contents, code) are shortened in the masked part. */
const ARG_KEEP_CHARS = 160
/** What a summary is assumed to cost while choosing how much to summarise. */
export const SUMMARY_ALLOWANCE_TOKENS = 400

export function messageTokens(message: ChatMessage): number {
  let n = MESSAGE_OVERHEAD_TOKENS + estimateTokens(message.content)
  if (message.role === 'assistant')
    for (const call of message.toolCalls ?? [])
      n += estimateTokens(call.name) + estimateTokens(call.arguments)
  return n
}

export function toolsTokens(tools: readonly ToolSchema[]): number {
  return tools.length ? estimateTokens(JSON.stringify(tools)) : 0
}

/** The raw (uncorrected) estimate of a request: every message plus the tool schemas. */
export function requestEstimate(messages: readonly ChatMessage[], tools: readonly ToolSchema[]): number {
  return messages.reduce((n, m) => n + messageTokens(m), toolsTokens(tools))
}

/** A one-line stand-in for an elided tool result that tells the model how to get it back. */
export function maskedResult(call: ToolCallRequest | undefined, chars: number): string {
  if (!call) return `[tool result elided to save context (${chars} characters)]`
  const args = describeArguments(call.arguments)
  const how = call.name === 'execute_code' ? 'run the code again' : `call ${call.name} again`
  return `[result of ${call.name}${args ? ` ${args}` : ''} elided to save context (${chars} characters); ${how} to see it]`
}

function describeArguments(json: string): string {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return ''
  }
  if (!value || typeof value !== 'object') return ''
  const parts: string[] = []
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string')
      parts.push(`${key}=${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`)
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${key}=${v}`)
  }
  const text = parts.join(' ')
  return text.length > 160 ? `${text.slice(0, 160)}…` : text
}

/** Long string arguments (a whole file written, code run) shortened; the JSON stays valid for chat templates. */
export function shortenArguments(json: string): string {
  if (json.length <= ARG_KEEP_CHARS * 2) return json
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return json
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return json
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] =
      typeof v === 'string' && v.length > ARG_KEEP_CHARS
        ? `${v.slice(0, ARG_KEEP_CHARS)}… [${v.length - ARG_KEEP_CHARS} more characters elided to save context]`
        : v
  }
  const shortened = JSON.stringify(out)
  return shortened.length < json.length ? shortened : json
}

export function firstUserIndex(history: readonly ChatMessage[]): number {
  return history.findIndex((m) => m.role === 'user')
}

function maskMessage(message: ChatMessage, call: ToolCallRequest | undefined): ChatMessage {
  if (message.role === 'tool') {
    if (message.content.length <= MASK_MIN_CHARS) return message
    return { ...message, content: maskedResult(call, message.content.length) }
  }
  if (message.role === 'assistant' && message.toolCalls?.length) {
    const toolCalls = message.toolCalls.map((c) => ({ ...c, arguments: shortenArguments(c.arguments) }))
    return { ...message, toolCalls }
  }
  return message
}

/** The call each tool result answers, by the result's index. */
type CallOf = (ToolCallRequest | undefined)[]

/** Servers may reuse ids across turns (`call_0` every time), so a result answers the latest call with its id. */
function callsById(history: readonly ChatMessage[]): CallOf {
  const open = new Map<string, ToolCallRequest>()
  return history.map((m) => {
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) open.set(c.id, c)
    return m.role === 'tool' ? open.get(m.toolCallId) : undefined
  })
}

export function summaryMessage(text: string): ChatMessage {
  return {
    role: 'user',
    content: `[Summary of the earlier conversation, which was elided to save context]\n${text.trim()}`,
  }
}

/**
 * The history as the model sees it under `state` (before the system prompt is added). The first user message
 * always stays whole: it is the task.
 */
export function renderView(history: readonly ChatMessage[], state: ContextState): ChatMessage[] {
  const calls = callsById(history)
  const first = firstUserIndex(history)
  const out: ChatMessage[] = []
  const summary = state.summary
  for (let i = 0; i < history.length; i++) {
    if (summary && i > first && i < summary.through) continue
    const message = history[i] as ChatMessage
    out.push(i < state.maskedBefore ? maskMessage(message, calls[i]) : message)
    if (i === first && summary && summary.through > first + 1) out.push(summaryMessage(summary.text))
  }
  return out
}

/** Where the latest model round starts (its tool results are what the model just asked for): never masked. */
export function latestRoundStart(history: readonly ChatMessage[]): number {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i] as ChatMessage
    if (m.role === 'assistant' && m.toolCalls?.length) return i
    if (m.role === 'user') return i
  }
  return 0
}

/** Where the latest turn starts: its user message. */
export function latestTurnStart(history: readonly ChatMessage[]): number {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]?.role === 'user') return i
  return 0
}

export interface PlanInput {
  history: readonly ChatMessage[]
  state: ContextState
  /** Tokens of what every request carries besides the history: the system prompt and the tool schemas. */
  fixedTokens: number
  /** Server tokens per estimated token, learned from what the server reported. */
  ratio: number
  /** Tokens to compact down to. */
  target: number
  /** A summary is asked for only when masking leaves the view above this (default: the target). */
  summaryAbove?: number
  /** Mask everything before this index that can be masked (a manual /compact), not just what reaching target needs. */
  maskAllBefore?: number
}

export interface Plan {
  state: ContextState
  /** Where a summary would have to end for the view to reach the target; absent when masking is enough. */
  summarizeThrough?: number
}

export function viewTokens(input: Pick<PlanInput, 'history' | 'state' | 'fixedTokens' | 'ratio'>): number {
  return Math.ceil((input.fixedTokens + rawViewTokens(input.history, input.state)) * input.ratio)
}

function rawViewTokens(history: readonly ChatMessage[], state: ContextState): number {
  return renderView(history, state).reduce((n, m) => n + messageTokens(m), 0)
}

/**
 * Observation masking first: advance the masked boundary, oldest results first, until the view fits the
 * target (never into the latest round). Only if the view is still over `summaryAbove`, say where a summary of
 * whole early turns would have to end for it to reach the target.
 */
export function planCompaction(input: PlanInput): Plan {
  const { history, fixedTokens, ratio, target } = input
  const calls = callsById(history)
  const protectedFrom = latestRoundStart(history)
  const cost = (i: number, masked: boolean) => {
    const m = history[i] as ChatMessage
    return messageTokens(masked ? maskMessage(m, calls[i]) : m)
  }
  let state: ContextState = { ...input.state }
  const fits = (s: ContextState) => Math.ceil((fixedTokens + rawViewTokens(history, s)) * ratio) <= target
  const forced = Math.min(input.maskAllBefore ?? 0, protectedFrom)
  if (forced > state.maskedBefore) state = { ...state, maskedBefore: forced }
  if (fits(state)) return { state }

  // Walk the boundary forward one message at a time, keeping a running total instead of re-rendering.
  let total = fixedTokens + rawViewTokens(history, state)
  const first = firstUserIndex(history)
  const summarized = (i: number) => Boolean(state.summary && i > first && i < state.summary.through)
  for (let i = state.maskedBefore; i < protectedFrom; i++) {
    if (!summarized(i)) total += cost(i, true) - cost(i, false)
    state = { ...state, maskedBefore: i + 1 }
    if (Math.ceil(total * ratio) <= target && history[i]?.role === 'tool') return { state }
  }
  if (Math.ceil(total * ratio) <= (input.summaryAbove ?? target)) return { state }

  const through = summaryBoundary(history, state, fixedTokens, ratio, target)
  return through === undefined ? { state } : { state, summarizeThrough: through }
}

/**
 * The earliest turn start such that summarising everything before it (after the first user message) brings
 * the view to the target; the latest turn start when none does. Undefined when no turn can be summarised.
 */
export function summaryBoundary(
  history: readonly ChatMessage[],
  state: ContextState,
  fixedTokens: number,
  ratio: number,
  target: number,
): number | undefined {
  const first = firstUserIndex(history)
  const from = Math.max(first + 1, state.summary?.through ?? 0)
  const last = latestTurnStart(history)
  let best: number | undefined
  for (let i = from + 1; i <= last; i++) {
    if (history[i]?.role !== 'user') continue
    best = i
    const candidate: ContextState = {
      maskedBefore: Math.max(state.maskedBefore, i),
      summary: { text: 'x'.repeat(SUMMARY_ALLOWANCE_TOKENS * 3), through: i },
    }
    if (viewTokens({ history, state: candidate, fixedTokens, ratio }) <= target) return i
  }
  return best
}

/**
 * The last resort when even a compacted view is over budget (one huge result in the latest round, a pasted
 * file): cut the largest messages, saying so, until the request fits. Not persisted; the next compaction
 * usually makes it unnecessary. Returns undefined when the fixed part alone is over budget.
 */
export function fitToBudget(
  messages: readonly ChatMessage[],
  fixedTokens: number,
  ratio: number,
  budget: number,
): ChatMessage[] | undefined {
  const out = [...messages]
  const total = () => Math.ceil((fixedTokens + out.reduce((n, m) => n + messageTokens(m), 0)) * ratio)
  const first = firstUserIndex(out)
  for (let round = 0; round < out.length + 1 && total() > budget; round++) {
    let largest = -1
    for (let i = 0; i < out.length; i++) {
      if (i === first && out.length > 1) continue
      const m = out[i] as ChatMessage
      if (m.role === 'system') continue
      if (largest < 0 || m.content.length > (out[largest] as ChatMessage).content.length) largest = i
    }
    if (largest < 0) break
    const m = out[largest] as ChatMessage
    const overTokens = total() - budget
    // Tokens → characters at the estimate's 3 bytes a token, corrected; a margin so one pass is enough.
    const cutChars = Math.ceil((overTokens / ratio) * 3 * 1.1) + 120
    const keep = Math.max(0, m.content.length - cutChars)
    if (keep === 0 && m.content.length < 200) break
    const note = `\n[… ${m.content.length - keep} characters cut to fit the context window]`
    out[largest] = { ...m, content: `${m.content.slice(0, keep)}${note}` } as ChatMessage
  }
  return total() <= budget ? out : undefined
}

/** The side request that writes a summary of history [from, through), within `maxChars` of transcript. */
export function summaryPrompt(
  history: readonly ChatMessage[],
  state: ContextState,
  through: number,
  maxChars: number,
): ChatMessage[] {
  const first = firstUserIndex(history)
  const from = Math.max(first + 1, state.summary?.through ?? 0)
  let transcript = transcriptOf(history.slice(from, through))
  if (transcript.length > maxChars) {
    const half = Math.floor(maxChars / 2)
    transcript = `${transcript.slice(0, half)}\n[… ${transcript.length - 2 * half} characters of the transcript left out …]\n${transcript.slice(-half)}`
  }
  const previous = state.summary ? `Summary so far:\n${state.summary.text}\n\n` : ''
  return [
    {
      role: 'system',
      content:
        'You condense a coding session so it can continue in a smaller context. Write a summary that keeps: every request the user made (short ones verbatim), decisions, files read or changed and what was learned, errors and fixes, and what remains to do. Plain text, at most 250 words, no preamble.',
    },
    {
      role: 'user',
      content: `The task:\n${history[first]?.content ?? ''}\n\n${previous}Conversation to add to the summary:\n${transcript}`,
    },
  ]
}

function transcriptOf(messages: readonly ChatMessage[]): string {
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…` : text)
  return messages
    .map((m) => {
      if (m.role === 'user') return `User: ${cut(m.content, 1200)}`
      if (m.role === 'tool') return `Result: ${cut(m.content, 400)}`
      if (m.role === 'assistant') {
        const calls = (m.toolCalls ?? []).map((c) => `Called ${c.name}(${cut(c.arguments, 200)})`)
        return [m.content ? `Assistant: ${cut(m.content, 800)}` : '', ...calls].filter(Boolean).join('\n')
      }
      return ''
    })
    .filter(Boolean)
    .join('\n')
}

/** When the summary request fails: the user's requests from the summarised turns, which is what matters most. */
export function fallbackSummary(
  history: readonly ChatMessage[],
  state: ContextState,
  through: number,
): string {
  const first = firstUserIndex(history)
  const from = Math.max(first + 1, state.summary?.through ?? 0)
  const asks = history
    .slice(from, through)
    .filter((m) => m.role === 'user')
    .map((m) => `- ${m.content.length > 200 ? `${m.content.slice(0, 200)}…` : m.content}`)
  const previous = state.summary ? `${state.summary.text}\n` : ''
  const text = `${previous}The user also asked (the turns themselves were elided):\n${asks.join('\n')}`
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text
}
