// Answers the client's `initialize` before the ACP SDK (and zod) have loaded, so an IDE sees the agent
// ready in about the time of a bare Node start. The SDK is then handed the same request and answers it
// with the same function; that duplicate answer is dropped, leaving the SDK initialized as usual.
import type { AnyMessage, Stream } from '@agentclientprotocol/sdk'

const MAX_FIRST_LINE_BYTES = 1024 * 1024

export interface FirstLine {
  /** The first line's text, when a newline arrived within the size limit. */
  line?: string
  /** Bytes read after the first line (or all bytes read, when there is no first line). */
  rest: Uint8Array
  /** The input, positioned after `rest`. */
  reader: ReadableStreamDefaultReader<Uint8Array>
}

export async function readFirstLine(input: ReadableStream<Uint8Array>): Promise<FirstLine> {
  const reader = input.getReader()
  let buffered = new Uint8Array(0)
  for (;;) {
    const newline = buffered.indexOf(10)
    if (newline >= 0) {
      return {
        line: new TextDecoder().decode(buffered.subarray(0, newline)),
        rest: buffered.subarray(newline + 1),
        reader,
      }
    }
    if (buffered.length > MAX_FIRST_LINE_BYTES) return { rest: buffered, reader }
    const { value, done } = await reader.read()
    if (done || !value) return { rest: buffered, reader }
    const joined = new Uint8Array(buffered.length + value.length)
    joined.set(buffered)
    joined.set(value, buffered.length)
    buffered = joined
  }
}

export interface InitializeRequest {
  id: string | number
  message: AnyMessage
}

/** The line as an `initialize` request worth answering early; anything odd is left to the SDK. */
export function asInitializeRequest(line: string): InitializeRequest | undefined {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!message || typeof message !== 'object') return undefined
  const m = message as Record<string, unknown>
  const params = m.params as Record<string, unknown> | undefined
  if (m.jsonrpc !== '2.0' || m.method !== 'initialize') return undefined
  if (typeof m.id !== 'string' && typeof m.id !== 'number') return undefined
  if (typeof params?.protocolVersion !== 'number') return undefined
  return { id: m.id, message: message as AnyMessage }
}

export function initializeAnswerLine(id: string | number, result: unknown): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`
}

/** The input not yet consumed, as one stream: the first line unless it was answered early, then the rest. */
export function remainingInput(first: FirstLine, answeredEarly: boolean): ReadableStream<Uint8Array> {
  const keepLine = !answeredEarly && first.line !== undefined
  const head = keepLine ? concat(new TextEncoder().encode(`${first.line}\n`), first.rest) : first.rest
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length) controller.enqueue(head)
    },
    async pull(controller) {
      const { value, done } = await first.reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel(reason) {
      return first.reader.cancel(reason)
    },
  })
}

/** Gives the SDK the already-answered request first, and drops the SDK's own answer to it. */
export function replayInitialize(stream: Stream, request: InitializeRequest): Stream {
  const readable = stream.readable.pipeThrough(
    new TransformStream<AnyMessage, AnyMessage>({
      start(controller) {
        controller.enqueue(request.message)
      },
    }),
  )
  const writer = stream.writable.getWriter()
  let dropped = false
  const writable = new WritableStream<AnyMessage>({
    write(message) {
      if (!dropped && isResponseTo(message, request.id)) {
        dropped = true
        return
      }
      return writer.write(message)
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  })
  return { readable, writable }
}

function isResponseTo(message: AnyMessage, id: string | number): boolean {
  return 'id' in message && message.id === id && !('method' in message)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
