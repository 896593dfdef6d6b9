// Deadlines for one model request: until the first chunk (a slow local model may think long over a big
// prompt), between chunks (a server that went silent mid-answer), and for the whole request.
import { ModelError } from './errors.js'

export interface StreamTimeouts {
  /** From sending the request to its first chunk (or, not streaming, to the whole answer). */
  firstChunkTimeoutMs: number
  /** Between two chunks of a streamed answer. */
  streamIdleTimeoutMs: number
  /** The whole request, start to last chunk. */
  requestTimeoutMs: number
}

export const DEFAULT_STREAM_TIMEOUTS: StreamTimeouts = {
  firstChunkTimeoutMs: 300_000,
  streamIdleTimeoutMs: 60_000,
  requestTimeoutMs: 1_800_000,
}

type Expiry = 'first' | 'idle' | 'total'

/** Aborts its `signal` when a deadline passes or the caller's signal aborts; `error()` says which deadline. */
export class StreamWatch {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private expired: Expiry | undefined
  private chunkTimer: NodeJS.Timeout
  private readonly totalTimer: NodeJS.Timeout
  private readonly onParentAbort = () => this.controller.abort(this.parent.reason)

  constructor(
    private readonly parent: AbortSignal,
    private readonly timeouts: StreamTimeouts,
    private readonly url: string,
  ) {
    this.signal = this.controller.signal
    if (parent.aborted) this.controller.abort(parent.reason)
    else parent.addEventListener('abort', this.onParentAbort, { once: true })
    this.chunkTimer = setTimeout(() => this.expire('first'), timeouts.firstChunkTimeoutMs)
    this.totalTimer = setTimeout(() => this.expire('total'), timeouts.requestTimeoutMs)
  }

  /** A chunk arrived: the idle deadline starts again. */
  chunk(): void {
    if (this.expired || this.signal.aborted) return
    clearTimeout(this.chunkTimer)
    this.chunkTimer = setTimeout(() => this.expire('idle'), this.timeouts.streamIdleTimeoutMs)
  }

  /** The deadline that stopped the request, as the message the user reads; undefined if none did. */
  error(): ModelError | undefined {
    if (!this.expired || this.parent.aborted) return undefined
    return new ModelError('timeout', timeoutMessage(this.expired, this.url, this.timeouts), this.url)
  }

  close(): void {
    clearTimeout(this.chunkTimer)
    clearTimeout(this.totalTimer)
    this.parent.removeEventListener('abort', this.onParentAbort)
  }

  private expire(which: Expiry) {
    if (this.signal.aborted) return
    this.expired = which
    this.controller.abort(new ModelError('timeout', `model request timed out (${which})`))
  }
}

export function timeoutMessage(which: Expiry, url: string, t: StreamTimeouts): string {
  const s = (ms: number) => `${Math.round(ms / 100) / 10} s`
  switch (which) {
    case 'first':
      return `The model server at ${url} sent nothing for ${s(t.firstChunkTimeoutMs)} after the request, so the turn was stopped. A big prompt on a slow local model can take this long: raise firstChunkTimeoutMs in config.json, or try again.`
    case 'idle':
      return `The model server at ${url} went silent for ${s(t.streamIdleTimeoutMs)} in the middle of its answer, so the turn was stopped (streamIdleTimeoutMs in config.json). Try again.`
    case 'total':
      return `The model request to ${url} took longer than ${s(t.requestTimeoutMs)} in all, so the turn was stopped (requestTimeoutMs in config.json). Try again, or ask for a shorter answer.`
  }
}

/**
 * Passes chunks through, telling the watch of each one. The client ends an aborted stream quietly, as if
 * it were complete; a stream cut by a deadline must fail instead, before a half-sent tool call is used.
 */
export async function* watched<T>(chunks: AsyncIterable<T>, watch: StreamWatch): AsyncIterable<T> {
  for await (const chunk of chunks) {
    watch.chunk()
    yield chunk
  }
  const expired = watch.error()
  if (expired) throw expired
}
