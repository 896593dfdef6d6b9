import type { AnyMessage, Stream } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import {
  asInitializeRequest,
  readFirstLine,
  remainingInput,
  replayInitialize,
} from '../../src/acp/early-initialize.js'

const bytes = (s: string) => new TextEncoder().encode(s)
const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(bytes(chunk))
      c.close()
    },
  })
const readAll = async (stream: ReadableStream<Uint8Array>) => {
  let out = ''
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
    out += new TextDecoder().decode(chunk)
  return out
}

describe('early initialize', () => {
  it('reads the first line across chunks and keeps every later byte', async () => {
    const first = await readFirstLine(streamOf('{"a":', '1}\n{"b"', ':2}\n', 'tail'))
    expect(first.line).toBe('{"a":1}')
    expect(await readAll(remainingInput(first, true))).toBe('{"b":2}\ntail')
  })

  it('gives back the whole input when the first line is not answered early', async () => {
    const first = await readFirstLine(streamOf('not json\nmore'))
    expect(await readAll(remainingInput(first, false))).toBe('not json\nmore')
    const unterminated = await readFirstLine(streamOf('no newline at all'))
    expect(unterminated.line).toBeUndefined()
    expect(await readAll(remainingInput(unterminated, false))).toBe('no newline at all')
  })

  it('answers early only a well-formed initialize request', () => {
    const ok = '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":1}}'
    expect(asInitializeRequest(ok)?.id).toBe(0)
    for (const line of [
      '{"jsonrpc":"2.0","id":1,"method":"session/new","params":{}}',
      '{"jsonrpc":"2.0","method":"initialize","params":{"protocolVersion":1}}',
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1"}}',
      '{"jsonrpc":"1.0","id":1,"method":"initialize","params":{"protocolVersion":1}}',
      '[1,2]',
      'garbage',
    ]) {
      expect(asInitializeRequest(line)).toBeUndefined()
    }
  })

  it('replays the request to the SDK side and drops only its first answer to that id', async () => {
    const request = asInitializeRequest(
      '{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":1}}',
    )
    if (!request) throw new Error('expected an initialize request')
    const written: AnyMessage[] = []
    const incoming = new TransformStream<AnyMessage, AnyMessage>()
    const inner: Stream = {
      readable: incoming.readable,
      writable: new WritableStream<AnyMessage>({ write: (m) => void written.push(m) }),
    }
    const wrapped = replayInitialize(inner, request)
    const reader = wrapped.readable.getReader()
    expect((await reader.read()).value).toEqual(request.message)

    const writer = wrapped.writable.getWriter()
    const answer = { jsonrpc: '2.0', id: 7, result: {} } as AnyMessage
    const later = { jsonrpc: '2.0', id: 7, result: { again: true } } as AnyMessage
    const notification = { jsonrpc: '2.0', method: 'session/update', params: {} } as AnyMessage
    await writer.write(notification)
    await writer.write(answer)
    await writer.write(later)
    expect(written).toEqual([notification, later])
  })
})
