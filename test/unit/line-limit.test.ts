import { describe, expect, it } from 'vitest'
import { limitLines, type OversizedLine, oversizedReply, requestId } from '../../src/acp/line-limit.js'

async function through(chunks: string[], maxBytes: number) {
  const dropped: OversizedLine[] = []
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
  let text = ''
  const reader = limitLines(input, maxBytes, (line) => dropped.push(line)).getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
  }
  return { text, dropped }
}

describe('limitLines', () => {
  it('passes lines up to the limit whole, however they are split into chunks', async () => {
    const { text, dropped } = await through(['{"a":1}\n{"b"', ':2}\n', '{"c":', '3}'], 8)
    expect(text).toBe('{"a":1}\n{"b":2}\n{"c":3}')
    expect(dropped).toEqual([])
  })

  it('drops a line over the limit, across chunks, reporting its size and id, and keeps the next ones', async () => {
    const big = `{"jsonrpc":"2.0","id":42,"method":"session/prompt","params":{"x":"${'y'.repeat(50)}"}}`
    const { text, dropped } = await through(
      [
        '{"ok":1}\n',
        big.slice(0, 30),
        big.slice(30, 70),
        `${big.slice(70)}\n{"ok":2}\n`,
        `${'z'.repeat(200)}`,
      ],
      100 - 1,
    )
    expect(text).toBe('{"ok":1}\n{"ok":2}\n')
    expect(dropped).toEqual([
      { bytes: big.length, id: 42 },
      { bytes: 200, id: null },
    ])
  })

  it('reads string and numeric ids from the start of a line, and nothing else', () => {
    const head = (s: string) => new TextEncoder().encode(s)
    expect(requestId(head('{"jsonrpc":"2.0","id":"abc-1","method"'))).toBe('abc-1')
    expect(requestId(head('{"id": 7, "method"'))).toBe(7)
    expect(requestId(head('{"jsonrpc":"2.0","method":"x","params":{"text":"aaaa'))).toBeNull()
    expect(requestId(head('{"id":1.5}'))).toBeNull()
  })

  it('answers with a short JSON-RPC error that names the size and the limit', () => {
    const reply = JSON.parse(oversizedReply({ bytes: 40_000_000, id: 3 }, 33_554_432))
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 3, error: { code: -32600 } })
    expect(reply.error.message).toMatch(/40000000 bytes, over the 33554432-byte limit/)
  })
})
