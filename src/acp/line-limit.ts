// Keeps lines over the message limit away from the ACP SDK, which ends the whole connection on one (and so the
// agent exits without a word). Such a line is dropped as it streams in, without buffering it, and reported so
// that the client gets a JSON-RPC error instead; the lines around it pass through untouched.

const NEWLINE = 0x0a
/** Bytes of a dropped line kept to find its request id. */
const HEAD_BYTES = 256

export interface OversizedLine {
  /** The line's length in bytes, newline excluded. */
  bytes: number
  /** The id of the request the line starts, when it can be read from its first bytes. */
  id: string | number | null
}

export function limitLines(
  input: ReadableStream<Uint8Array>,
  maxBytes: number,
  onOversized: (line: OversizedLine) => void,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let dropping: { bytes: number; head: Uint8Array } | undefined

  const startDropping = (rest: Uint8Array) => {
    const head = concat([...pending, rest.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES)
    dropping = { bytes: pendingBytes + rest.length, head }
    pending = []
    pendingBytes = 0
  }
  const endDropping = () => {
    if (!dropping) return
    onOversized({ bytes: dropping.bytes, id: requestId(dropping.head) })
    dropping = undefined
  }

  return input.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        let start = 0
        for (;;) {
          const newline = chunk.indexOf(NEWLINE, start)
          const end = newline === -1 ? chunk.length : newline
          const piece = chunk.subarray(start, end)
          if (dropping) dropping.bytes += piece.length
          else if (pendingBytes + piece.length > maxBytes) startDropping(piece)
          else if (newline !== -1) {
            const line = chunk.subarray(start, newline + 1)
            controller.enqueue(pending.length ? concat([...pending, line]) : line)
            pending = []
            pendingBytes = 0
          } else if (piece.length) {
            // Copied: the reader may reuse the chunk's buffer.
            pending.push(piece.slice())
            pendingBytes += piece.length
          }
          if (newline === -1) return
          endDropping()
          start = newline + 1
        }
      },
      flush(controller) {
        endDropping()
        if (pending.length) controller.enqueue(concat(pending))
      },
    }),
  )
}

/** The id of a JSON-RPC request from the start of its line, if it comes early (clients put it first). */
export function requestId(head: Uint8Array): string | number | null {
  const text = new TextDecoder().decode(head)
  const match = /"id"\s*:\s*(-?\d{1,15}(?![\d.eE])|"(?:[^"\\]|\\.){0,128}")/.exec(text)
  if (!match?.[1]) return null
  try {
    return JSON.parse(match[1]) as string | number
  } catch {
    return null
  }
}

export function oversizedReply(line: OversizedLine, maxBytes: number): string {
  const message = `Invalid request: the message is ${line.bytes} bytes, over the ${maxBytes}-byte limit; it was dropped. Send less in one message (refer to large files by path).`
  return `${JSON.stringify({ jsonrpc: '2.0', id: line.id, error: { code: -32600, message } })}\n`
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
