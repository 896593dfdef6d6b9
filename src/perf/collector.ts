// Timing figures read from the AgentEvent stream: per tool call, per model request, per turn. It only reads
// events, live or replayed from the store, so it is always on and can never change what a turn does.
import type { AgentEvent, StopReason, ToolBackend } from '../session/events.js'

export interface ToolTiming {
  sessionId: string
  turnId: string
  toolCallId: string
  name: string
  backend: ToolBackend
  /** Set for calls made from code; their time is part of their parent's. */
  parentToolCallId?: string
  ok: boolean
  durationMs: number
  at: number
}

export interface ModelTiming {
  sessionId: string
  turnId: string
  model: string
  ok: boolean
  durationMs: number
  firstTokenMs?: number
  /** Time after the first token. */
  generationMs?: number
  promptTokens: number
  completionTokens: number
  /** Absent where the answer came too fast to time (see `tokensPerSecond`). */
  tokensPerSecond?: number
  at: number
}

export interface TurnTiming {
  sessionId: string
  turnId: string
  totalMs: number
  modelMs: number
  /** Tool time, less the time tools waited for a permission answer. */
  toolMs: number
  /** Time waiting for the user to answer permission requests: a person's time, not Punie's or a tool's. */
  waitMs: number
  /** What Punie itself took: the turn less model, (top-level) tool and waiting time. */
  overheadMs: number
  stopReason: StopReason
  modelRequests: number
  toolCalls: number
  promptTokens: number
  completionTokens: number
  at: number
}

interface OpenTurn {
  at: number
  modelMs: number
  toolMs: number
  waitMs: number
  modelRequests: number
  toolCalls: number
  promptTokens: number
  completionTokens: number
}

interface OpenTool {
  name: string
  backend: ToolBackend
  parentToolCallId?: string
  /** Time this call (or a call made from its code) waited for a permission answer. */
  waitMs: number
}

export class PerfCollector {
  readonly tools: ToolTiming[] = []
  readonly models: ModelTiming[] = []
  readonly turns: TurnTiming[] = []
  private readonly openTurns = new Map<string, OpenTurn>()
  // Keyed by session and call id: calls of one tool may overlap (code, several sessions).
  private readonly openTools = new Map<string, OpenTool>()
  private readonly requestModel = new Map<string, string>()
  private readonly asked = new Map<string, number>()

  add(event: AgentEvent): void {
    switch (event.type) {
      case 'turn.start':
        this.openTurns.set(key(event.sessionId, event.turnId), {
          at: event.at,
          modelMs: 0,
          toolMs: 0,
          waitMs: 0,
          modelRequests: 0,
          toolCalls: 0,
          promptTokens: 0,
          completionTokens: 0,
        })
        break
      case 'tool.start':
        this.openTools.set(key(event.sessionId, event.toolCallId), {
          name: event.name,
          backend: event.backend ?? 'local',
          ...(event.parentToolCallId ? { parentToolCallId: event.parentToolCallId } : {}),
          waitMs: 0,
        })
        break
      case 'permission.request':
        this.asked.set(key(event.sessionId, event.toolCallId), event.at)
        break
      case 'permission.response': {
        const id = key(event.sessionId, event.toolCallId)
        const askedAt = this.asked.get(id)
        this.asked.delete(id)
        if (askedAt === undefined) break
        const wait = Math.max(0, event.at - askedAt)
        // The wait is in this call's time and in that of every call whose code made it.
        for (let call = this.openTools.get(id); call; ) {
          call.waitMs += wait
          call = call.parentToolCallId
            ? this.openTools.get(key(event.sessionId, call.parentToolCallId))
            : undefined
        }
        const turn = this.openTurns.get(key(event.sessionId, event.turnId))
        if (turn) turn.waitMs += wait
        break
      }
      case 'tool.end': {
        const id = key(event.sessionId, event.toolCallId)
        const open = this.openTools.get(id)
        this.openTools.delete(id)
        this.tools.push({
          sessionId: event.sessionId,
          turnId: event.turnId,
          toolCallId: event.toolCallId,
          name: open?.name ?? event.name,
          backend: open?.backend ?? 'local',
          ...(open?.parentToolCallId ? { parentToolCallId: open.parentToolCallId } : {}),
          ok: event.status === 'completed',
          // A tool's latency is its own: the time a person took to answer it is left out.
          durationMs: Math.max(0, event.durationMs - (open?.waitMs ?? 0)),
          at: event.at,
        })
        const turn = this.openTurns.get(key(event.sessionId, event.turnId))
        if (turn && !open?.parentToolCallId) {
          turn.toolMs += Math.max(0, event.durationMs - (open?.waitMs ?? 0))
          turn.toolCalls++
        }
        break
      }
      case 'model.end': {
        const prompt = event.usage?.promptTokens ?? 0
        const completion = event.usage?.completionTokens ?? 0
        const generationMs =
          event.firstTokenMs !== undefined ? event.durationMs - event.firstTokenMs : undefined
        this.models.push({
          sessionId: event.sessionId,
          turnId: event.turnId,
          model: this.requestModel.get(key(event.sessionId, event.turnId)) ?? '',
          ok: event.ok,
          durationMs: event.durationMs,
          ...(event.firstTokenMs !== undefined ? { firstTokenMs: event.firstTokenMs } : {}),
          ...(generationMs !== undefined ? { generationMs } : {}),
          promptTokens: prompt,
          completionTokens: completion,
          ...optionalSpeed(tokensPerSecond(completion, generationMs)),
          at: event.at,
        })
        const turn = this.openTurns.get(key(event.sessionId, event.turnId))
        if (turn) {
          turn.modelMs += event.durationMs
          turn.modelRequests++
          turn.promptTokens += prompt
          turn.completionTokens += completion
        }
        break
      }
      case 'model.start':
        this.requestModel.set(key(event.sessionId, event.turnId), event.model)
        break
      case 'turn.end': {
        const id = key(event.sessionId, event.turnId)
        const turn = this.openTurns.get(id)
        this.openTurns.delete(id)
        if (!turn) break
        this.requestModel.delete(id)
        this.turns.push({
          sessionId: event.sessionId,
          turnId: event.turnId,
          totalMs: event.durationMs,
          modelMs: turn.modelMs,
          toolMs: turn.toolMs,
          waitMs: turn.waitMs,
          overheadMs: Math.max(0, event.durationMs - turn.modelMs - turn.toolMs - turn.waitMs),
          stopReason: event.stopReason,
          modelRequests: turn.modelRequests,
          toolCalls: turn.toolCalls,
          promptTokens: turn.promptTokens,
          completionTokens: turn.completionTokens,
          at: turn.at,
        })
        break
      }
      default:
        break
    }
  }

  static from(events: Iterable<AgentEvent>): PerfCollector {
    const collector = new PerfCollector()
    for (const event of events) collector.add(event)
    return collector
  }
}

/**
 * Below this, the time from the first token to the end of the stream is not generation but delivery: the
 * answer came at once (a proxy or server that buffers the stream, a cache, a replay), and the quotient measures
 * timer resolution and chunk batching (380 tokens in 0.5 ms read as 760,000 tokens/s). A local model streams
 * at most a few hundred tokens/s, so 50 ms still holds a dozen tokens or more wherever the figure means anything,
 * and a millisecond of jitter moves it by 2% at most.
 */
export const MIN_GENERATION_MS = 50
/** Tokens after the first needed for a rate: one interval is a latency, not a speed. */
export const MIN_TOKENS_AFTER_FIRST = 2

/**
 * Generation speed: the tokens after the first over the time after the first (the first token's wait is time to
 * first token). Undefined when that time or that count is too small to measure a speed.
 */
export function tokensPerSecond(
  completionTokens: number,
  generationMs: number | undefined,
): number | undefined {
  const after = completionTokens - 1
  if (generationMs === undefined || generationMs < MIN_GENERATION_MS || after < MIN_TOKENS_AFTER_FIRST)
    return undefined
  return after / (generationMs / 1000)
}

function optionalSpeed(speed: number | undefined): { tokensPerSecond?: number } {
  return speed === undefined ? {} : { tokensPerSecond: speed }
}

function key(a: string, b: string): string {
  return `${a}\u0000${b}`
}

/** The q-quantile (0..1) of values, by linear interpolation; undefined for no values. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  const lowValue = sorted[low] as number
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low)
}
