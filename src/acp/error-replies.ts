// Error replies as they leave for the client, cut to a readable size: the SDK's own errors quote the request
// whole (a method name, a message that is not an object), so a client that sent megabytes got megabytes back.
import type { AnyMessage } from '@agentclientprotocol/sdk'
import { capMessage, quote } from '../quote.js'

const MAX_DATA_CHARS = 2000
/** Shorter lines pass untouched, unread: an error reply over this size is one that quotes too much. */
const CHECK_ABOVE_BYTES = 8192
const ERROR_START = /^\{"jsonrpc":"2\.0","id":(?:null|-?\d+|"(?:[^"\\]|\\.){0,256}"),"error":\{/

export function capErrorReply(message: AnyMessage): AnyMessage {
  if (!('error' in message) || !message.error) return message
  const error = { ...message.error, message: capMessage(message.error.message) }
  if (error.data !== undefined) {
    const text = typeof error.data === 'string' ? error.data : (JSON.stringify(error.data) ?? '')
    if (text.length > MAX_DATA_CHARS) error.data = quote(text)
  }
  return { ...message, error }
}

/**
 * The ndJSON output, with long error replies cut. The SDK writes each message as one chunk (its line), so a
 * chunk is checked on its own; anything else, a result or a notification however long, passes as it is.
 */
export function capErrorLines(output: WritableStream<Uint8Array>): WritableStream<Uint8Array> {
  const writer = output.getWriter()
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (chunk.length <= CHECK_ABOVE_BYTES) return writer.write(chunk)
      const head = new TextDecoder().decode(chunk.subarray(0, 512))
      if (!ERROR_START.test(head)) return writer.write(chunk)
      try {
        const capped = capErrorReply(JSON.parse(new TextDecoder().decode(chunk)) as AnyMessage)
        return writer.write(new TextEncoder().encode(`${JSON.stringify(capped)}\n`))
      } catch {
        return writer.write(chunk)
      }
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  })
}
