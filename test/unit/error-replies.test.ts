import { describe, expect, it } from 'vitest'
import { capErrorLines, capErrorReply } from '../../src/acp/error-replies.js'

describe('error replies to the client', () => {
  it('cut a long message and long data, and leave results alone', () => {
    const huge = 'x'.repeat(100_000)
    const reply = capErrorReply({ jsonrpc: '2.0', id: 1, error: { code: -32600, message: huge, data: huge } })
    expect(JSON.stringify(reply).length).toBeLessThanOrEqual(3000)
    expect(reply).toMatchObject({ id: 1, error: { code: -32600 } })
    const result = { jsonrpc: '2.0' as const, id: 2, result: { text: huge } }
    expect(capErrorReply(result)).toBe(result)
  })

  it('rewrite only long error lines on the way out', async () => {
    const written: string[] = []
    const sink = new WritableStream<Uint8Array>({
      write: (c) => void written.push(new TextDecoder().decode(c)),
    })
    const writer = capErrorLines(sink).getWriter()
    const huge = 'x'.repeat(20_000)
    const lines = [
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request', data: huge } },
      { jsonrpc: '2.0', method: 'session/update', params: { text: huge } },
      { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'short' } },
    ]
    for (const line of lines) await writer.write(new TextEncoder().encode(`${JSON.stringify(line)}\n`))
    expect(written[0]?.length).toBeLessThanOrEqual(3000)
    expect(written[0]).toMatch(/\(20000 characters\)/)
    expect(written[1]).toBe(`${JSON.stringify(lines[1])}\n`)
    expect(written[2]).toBe(`${JSON.stringify(lines[2])}\n`)
  })
})
