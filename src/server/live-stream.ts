// A server-sent event stream of live items: what is there now first, then each new item as it comes, until the
// client leaves, the server stops, or the client's access ends (a dashboard sign-out).
import type { SSEStreamingApi } from 'hono/streaming'

export interface LiveStreamOptions<T> {
  /** Written first, so the client has the response (and its headers) before there is an item to send. */
  comment: string
  shutdown: AbortSignal
  /** Calls `push` with each new item from now on, and `recheck` when access may have ended; returns how to stop. */
  subscribe(push: (item: T) => void, recheck: () => void): () => void
  /** What there is now, read after subscribing so that nothing falls between the two. */
  initial(): Iterable<T>
  /** Whether the client may still read; checked before each write. */
  allowed(): boolean
  /** Items waiting at once, reduced before they are sent (the latest of each, say). */
  coalesce?(items: T[]): T[]
  send(item: T): Promise<void>
}

const KEEP_ALIVE_MS = 15_000

export async function runLiveStream<T>(stream: SSEStreamingApi, o: LiveStreamOptions<T>): Promise<void> {
  const pending: T[] = []
  let wake: (() => void) | undefined
  const unsubscribe = o.subscribe(
    (item) => {
      pending.push(item)
      wake?.()
    },
    () => wake?.(),
  )
  const ended = new Promise<void>((resolve) => {
    stream.onAbort(resolve)
    o.shutdown.addEventListener('abort', () => resolve(), { once: true })
  })
  const open = () => !stream.aborted && !o.shutdown.aborted && o.allowed()
  await stream.write(`: ${o.comment}\n\n`)
  const keepAlive = setInterval(() => {
    if (!o.allowed()) wake?.()
    else void stream.write(': keep-alive\n\n').catch(() => undefined)
  }, KEEP_ALIVE_MS)
  try {
    for (const item of o.initial()) if (open()) await o.send(item)
    while (open()) {
      const batch = pending.splice(0)
      for (const item of o.coalesce ? o.coalesce(batch) : batch) if (open()) await o.send(item)
      if (pending.length) continue
      await Promise.race([ended, new Promise<void>((resolve) => (wake = resolve))])
    }
  } finally {
    clearInterval(keepAlive)
    unsubscribe()
    if (!stream.aborted) stream.abort()
  }
}
