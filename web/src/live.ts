// A server-sent event stream with its connection state; EventSource retries by itself, and a reopen after a
// loss calls `onReopen` so the view refetches what it may have missed.
import { useEffect, useRef, useState } from 'preact/hooks'

export type StreamState = 'connecting' | 'open' | 'reconnecting'

/** How long to wait before opening a stream again that the server closed for good (an HTTP error). */
const RETRY_MS = 3000

export function useEventStream(
  url: string | null,
  events: readonly string[],
  onMessage: (type: string, data: unknown, id: string) => void,
  onReopen: () => void,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting')
  const handlers = useRef({ onMessage, onReopen })
  handlers.current = { onMessage, onReopen }
  useEffect(() => {
    if (!url) return
    let source: EventSource | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    let lost = false
    let stopped = false
    const listener = (e: Event) => {
      const message = e as MessageEvent<string>
      let data: unknown
      try {
        data = JSON.parse(message.data)
      } catch {
        return
      }
      handlers.current.onMessage(message.type, data, message.lastEventId)
    }
    const open = () => {
      source = new EventSource(url, { withCredentials: true })
      for (const type of events) source.addEventListener(type, listener)
      source.onopen = () => {
        setState('open')
        if (lost) handlers.current.onReopen()
        lost = false
      }
      source.onerror = () => {
        lost = true
        setState('reconnecting')
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          // The server answered with an error: EventSource gives up, so refetch (which shows a 401) and retry.
          source.close()
          handlers.current.onReopen()
          timer = setTimeout(open, RETRY_MS)
        }
      }
    }
    open()
    return () => {
      stopped = true
      clearTimeout(timer)
      source?.close()
    }
  }, [url, events.join(',')])
  return state
}

/** Calls `flush` once per animation frame with the items queued since the last one. */
export function useFrameBatch<T>(flush: (items: T[]) => void): (item: T) => void {
  const queue = useRef<T[]>([])
  const frame = useRef(0)
  const current = useRef(flush)
  current.current = flush
  useEffect(() => () => cancelAnimationFrame(frame.current), [])
  return (item: T) => {
    queue.current.push(item)
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      const items = queue.current
      queue.current = []
      current.current(items)
    })
  }
}

/** The current time, updated every `ms`: for "5m ago" labels. */
export function useNow(ms = 10_000): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}
