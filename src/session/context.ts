// A session's context window: how big it is, how many tokens a request takes, and when to compact the view.
// Compaction runs in steps (over the high-water mark → down to the low-water mark) so that requests between
// steps share their prefix and the server's prefix cache keeps hitting.
import { ModelError } from '../model/errors.js'
import { ThinkSplitter } from '../model/think-splitter.js'
import type { ChatMessage, ChatModel, ToolSchema, Usage } from '../model/types.js'
import {
  type ContextState,
  EMPTY_CONTEXT,
  fallbackSummary,
  fitToBudget,
  latestTurnStart,
  MASK_MIN_CHARS,
  messageTokens,
  planCompaction,
  renderView,
  requestEstimate,
  summaryPrompt,
  toolsTokens,
  viewTokens,
} from './context-view.js'
import type { AgentEventBody } from './events.js'
import { buildModelMessages } from './model-messages.js'

/** Used when neither the server nor the config says how large the window is. */
export const DEFAULT_CONTEXT_WINDOW = 8192
/** Water marks, as shares of the room the history has (the budget less the system prompt and tools). */
const HIGH_WATER = 0.85
const LOW_WATER = 0.5
/** Masking that leaves the view under this is enough: a summary costs a request and loses detail. */
const SUMMARY_WATER = 0.7
const SUMMARY_MAX_TOKENS = 512
/** How long the first request waits for the window probe (which started when the model resolved). */
const PROBE_WAIT_MS = 1500

export interface ContextSettings {
  /** From the config file: caps what the server reports, and stands in when it reports nothing. */
  contextWindow?: number
  reservedOutputTokens?: number
  maxTokens: number
}

export interface WindowFacts {
  window: number
  /** Whether a server or the config said so (not the default). */
  known: boolean
  reserved: number
  /** The most a request may carry: window − reserved output. */
  budget: number
  source: string
}

export function windowFacts(settings: ContextSettings, server?: number, serverSource?: string): WindowFacts {
  const configured = settings.contextWindow
  const window =
    server && configured ? Math.min(server, configured) : (server ?? configured ?? DEFAULT_CONTEXT_WINDOW)
  const source =
    server && (!configured || server <= configured)
      ? (serverSource ?? 'server')
      : configured
        ? 'config'
        : 'default'
  const reserved = Math.min(
    settings.reservedOutputTokens ?? Math.min(settings.maxTokens, Math.max(256, Math.floor(window / 4))),
    Math.floor(window / 2),
  )
  return { window, known: Boolean(server || configured), reserved, budget: window - reserved, source }
}

export interface PrepareRequest {
  model: ChatModel
  systemPrompt: string
  tools: readonly ToolSchema[]
  history: readonly ChatMessage[]
  signal: AbortSignal
  turnId: string
  request: number
  emit(body: AgentEventBody): void
  newId(prefix: string): string
  /** `/compact`: mask all but the latest turn and summarise the earlier ones, whatever the water marks say. */
  manual?: boolean
}

export interface PreparedRequest {
  messages: ChatMessage[]
  /** Output tokens to ask for: what the window leaves, when the window is known. */
  maxTokens: number
  tokens: number
  facts: WindowFacts
}

export class SessionContext {
  /** Server tokens per estimated token; corrected by every usage report (and by /tokenize until one arrives). */
  private ratio = 1
  private calibratedBy: 'none' | 'tokenize' | 'usage' = 'none'
  private lastEstimate = 0
  /** Per model: `/model` may switch to one with another window. */
  private facts: { model: ChatModel; facts: WindowFacts } | undefined

  constructor(
    private state: ContextState,
    private readonly settings: ContextSettings,
    /** Persists a changed view (the store keeps the history whole; this records what the model sees). */
    private readonly onChange: (
      state: ContextState,
      body: Extract<AgentEventBody, { type: 'context.compacted' }>,
    ) => void,
  ) {}

  get view(): ContextState {
    return this.state
  }

  reset(): void {
    this.state = EMPTY_CONTEXT
  }

  async windowOf(model: ChatModel): Promise<WindowFacts> {
    if (this.facts?.model === model) return this.facts.facts
    const probed = model.context
      ? await withDeadline(model.context.window(), PROBE_WAIT_MS).catch(() => undefined)
      : undefined
    const facts = windowFacts(this.settings, probed?.contextWindow, probed?.source)
    // A probe still running past the wait is asked again next request; a finished one is kept.
    if (probed || !model.context) this.facts = { model, facts }
    return facts
  }

  /** Learns the server's tokens per estimated token from the prompt size it reported. */
  observeUsage(promptTokens: number): void {
    if (!(promptTokens > 0) || !(this.lastEstimate > 0)) return
    this.ratio = clampRatio(promptTokens / this.lastEstimate)
    this.calibratedBy = 'usage'
  }

  async prepare(r: PrepareRequest): Promise<PreparedRequest> {
    const facts = await this.windowOf(r.model)
    const fixed = messageTokens({ role: 'system', content: r.systemPrompt }) + toolsTokens(r.tools)
    let view = buildModelMessages(r.systemPrompt, renderView(r.history, this.state))
    let raw = requestEstimate(view, r.tools)
    // Exact counts matter only near the limit; below half the budget the estimate decides nothing.
    if (this.calibratedBy !== 'usage' && raw > facts.budget * LOW_WATER) await this.calibrate(r, view, raw)
    const before = Math.ceil(raw * this.ratio)
    const fixedTokens = Math.ceil(fixed * this.ratio)
    const mark = (share: number) => Math.floor(fixedTokens + (facts.budget - fixedTokens) * share)

    if (r.manual || before > mark(HIGH_WATER)) {
      await this.compact(r, facts, fixed, before, mark(LOW_WATER), mark(SUMMARY_WATER))
      view = buildModelMessages(r.systemPrompt, renderView(r.history, this.state))
      raw = requestEstimate(view, r.tools)
    }
    if (Math.ceil(raw * this.ratio) > facts.budget) {
      const fitted = fitToBudget(view, toolsTokens(r.tools), this.ratio, facts.budget)
      // With the window only assumed, a prompt over it may still fit the real one: send it and let the server say.
      if (!fitted && facts.known) throw overBudget(facts, Math.ceil(fixed * this.ratio))
      if (fitted) {
        view = fitted
        raw = requestEstimate(view, r.tools)
      }
    }
    this.lastEstimate = raw
    const tokens = Math.ceil(raw * this.ratio)
    return {
      messages: view,
      maxTokens: facts.known ? Math.min(this.settings.maxTokens, facts.reserved) : this.settings.maxTokens,
      tokens,
      facts,
    }
  }

  private async calibrate(r: PrepareRequest, view: ChatMessage[], raw: number) {
    const counted = await r.model.context
      ?.countTokens(serialize(view, r.tools), r.signal)
      .catch(() => undefined)
    if (!counted) return
    // The text has no chat template around it; the estimate's per-message overhead stands in for that.
    const overhead = view.length * 4
    this.ratio = clampRatio((counted + overhead) / raw)
    this.calibratedBy = 'tokenize'
  }

  private async compact(
    r: PrepareRequest,
    facts: WindowFacts,
    fixed: number,
    before: number,
    target: number,
    summaryAbove: number,
  ) {
    const previous = this.state
    const plan = planCompaction({
      history: r.history,
      state: this.state,
      fixedTokens: fixed,
      ratio: this.ratio,
      target,
      summaryAbove,
      ...(r.manual ? { maskAllBefore: latestTurnStart(r.history) } : {}),
    })
    let state = plan.state
    // A summary is lossy and costs a request: only against a window someone stated (or when asked by hand).
    const through = r.manual
      ? (plan.summarizeThrough ?? manualThrough(r.history, state))
      : facts.known
        ? plan.summarizeThrough
        : undefined
    let summarized = 0
    if (through !== undefined) {
      const text = await this.summarize(r, facts, state, through)
      const from = Math.max(r.history.findIndex((m) => m.role === 'user') + 1, state.summary?.through ?? 0)
      summarized = through - from
      state = { maskedBefore: Math.max(state.maskedBefore, through), summary: { text, through } }
    }
    const masked = countMasked(
      r.history,
      Math.max(previous.maskedBefore, state.summary?.through ?? 0),
      state.maskedBefore,
    )
    // Moving the boundary over nothing maskable changes no request: keep the state, and the prefix.
    if (sameState(previous, state) || (masked <= 0 && summarized === 0)) return
    this.state = state
    const after = viewTokens({ history: r.history, state, fixedTokens: fixed, ratio: this.ratio })
    const body = {
      type: 'context.compacted' as const,
      turnId: r.turnId,
      state,
      masked,
      summarized,
      tokensBefore: before,
      tokensAfter: after,
      budget: facts.budget,
      manual: Boolean(r.manual),
    }
    r.emit({
      type: 'thought.delta',
      turnId: r.turnId,
      messageId: r.newId('msg'),
      text: `Context compacted: ${masked} old tool results elided${summarized ? `, ${summarized} earlier messages summarised` : ''}; about ${before} → ${after} of ${facts.budget} tokens.\n`,
    })
    this.onChange(state, body)
  }

  /** One side request to the same model, reported like any model request (with `purpose: 'summary'`). */
  private async summarize(r: PrepareRequest, facts: WindowFacts, state: ContextState, through: number) {
    const maxTokens = Math.min(SUMMARY_MAX_TOKENS, facts.reserved)
    const room = facts.budget - maxTokens - 200
    const maxChars = Math.max(1000, Math.floor((room / this.ratio) * 3))
    const messages = summaryPrompt(r.history, state, through, maxChars)
    r.emit({
      type: 'thought.delta',
      turnId: r.turnId,
      messageId: r.newId('msg'),
      text: 'Summarising earlier turns to fit the context window…\n',
    })
    const started = performance.now()
    // Logged whole (summaries are rare), apart from the turn's request deltas: a replay serves it too.
    r.emit({
      type: 'model.request',
      turnId: r.turnId,
      request: r.request,
      keep: 0,
      append: messages,
      purpose: 'summary',
    })
    r.emit({
      type: 'model.start',
      turnId: r.turnId,
      request: r.request,
      model: r.model.info.model,
      baseURL: r.model.info.baseURL,
      purpose: 'summary',
    })
    let text = ''
    let raw = ''
    let usage: Usage | undefined
    try {
      const splitter = new ThinkSplitter()
      for await (const chunk of r.model.stream({
        messages,
        tools: [],
        temperature: 0,
        maxTokens,
        signal: r.signal,
      })) {
        if (chunk.type === 'text') {
          raw += chunk.text
          for (const part of splitter.push(chunk.text)) if (part.kind === 'text') text += part.text
        }
        if (chunk.type === 'usage') usage = chunk.usage
      }
      for (const part of splitter.end()) if (part.kind === 'text') text += part.text
      r.emit({
        type: 'model.response',
        turnId: r.turnId,
        request: r.request,
        text: raw,
        finish: 'stop',
        purpose: 'summary',
        ...(usage ? { usage } : {}),
      })
      r.emit({
        type: 'model.end',
        turnId: r.turnId,
        request: r.request,
        ok: true,
        durationMs: performance.now() - started,
        purpose: 'summary',
        ...(usage ? { usage } : {}),
      })
    } catch (error) {
      r.emit({
        type: 'model.end',
        turnId: r.turnId,
        request: r.request,
        ok: false,
        durationMs: performance.now() - started,
        purpose: 'summary',
        error: r.signal.aborted ? 'cancelled' : error instanceof Error ? error.message : String(error),
      })
      if (r.signal.aborted) throw error
    }
    return text.trim() || fallbackSummary(r.history, state, through)
  }
}

/** For /compact: summarise every turn before the latest one, if there is one to summarise. */
function manualThrough(history: readonly ChatMessage[], state: ContextState): number | undefined {
  const last = latestTurnStart(history)
  const first = history.findIndex((m) => m.role === 'user')
  const from = Math.max(first + 1, state.summary?.through ?? 0)
  return last > from ? last : undefined
}

/** Tool results in [from, to) that the view shows as placeholders. */
function countMasked(history: readonly ChatMessage[], from: number, to: number): number {
  let n = 0
  for (let i = from; i < to && i < history.length; i++) {
    const m = history[i]
    if (m?.role === 'tool' && m.content.length > MASK_MIN_CHARS) n++
  }
  return n
}

function sameState(a: ContextState, b: ContextState): boolean {
  return a.maskedBefore === b.maskedBefore && a.summary?.through === b.summary?.through
}

const clampRatio = (ratio: number) => Math.min(3, Math.max(0.3, ratio))

function serialize(messages: readonly ChatMessage[], tools: readonly ToolSchema[]): string {
  const parts = messages.map((m) =>
    m.role === 'assistant' && m.toolCalls?.length
      ? `${m.content}${m.toolCalls.map((c) => `${c.name}${c.arguments}`).join('')}`
      : m.content,
  )
  if (tools.length) parts.push(JSON.stringify(tools))
  return parts.join('\n')
}

function overBudget(facts: WindowFacts, fixedTokens: number): ModelError {
  return new ModelError(
    'config',
    `The system prompt and tool descriptions alone take about ${fixedTokens} tokens, more than the ${facts.budget} a request may carry (context window ${facts.window} from ${facts.source}, less ${facts.reserved} reserved for the answer). Use a model with a larger window, set contextWindow/reservedOutputTokens, or switch to --tools code.`,
  )
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
