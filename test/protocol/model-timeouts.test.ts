import { describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'

async function until(predicate: () => boolean) {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(predicate()).toBe(true)
}

describe('model requests have deadlines over the whole stream', () => {
  const f = useProtocolFixture()

  it('ends the turn when the server goes silent after one chunk, keeps what arrived, and the session goes on', async () => {
    f.writeConfig({ streamIdleTimeoutMs: 300 })
    await f.restart()
    const sessionId = await f.session()
    f.model.enqueue(
      { text: 'partial answer that never ends', chunkSize: 4, stallAfterChunks: 3 },
      { text: 'whole answer' },
    )
    const failed = await f.acp.failedPrompt(sessionId, 'first')
    expect(failed.message).toContain('went silent for 0.3 s in the middle of its answer')
    const text = f.acp.agentText(sessionId)
    expect(text.startsWith('partial ')).toBe(true)
    expect(text).toContain('went silent for 0.3 s in the middle of its answer')
    // The request was really ended: the server saw its client leave.
    await until(() => f.model.abandonedStalls === 1)
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('whole answer')
  })

  it('ends the turn when no chunk comes after the headers, naming the setting to raise', async () => {
    f.writeConfig({ firstChunkTimeoutMs: 300 })
    await f.restart()
    const sessionId = await f.session()
    f.model.enqueue({ text: 'never sent', stallAfterChunks: 0 }, { text: 'on time' })
    const failed = await f.acp.failedPrompt(sessionId, 'first')
    expect(failed.message).toMatch(/raise firstChunkTimeoutMs/)
    expect(f.acp.agentText(sessionId)).toMatch(
      /sent nothing for 0\.3 s after the request.*raise firstChunkTimeoutMs/,
    )
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('on time')
  })

  it('ends a stream that trickles on past the total limit', async () => {
    f.writeConfig({ requestTimeoutMs: 600, streamIdleTimeoutMs: 5000 })
    await f.restart()
    const sessionId = await f.session()
    f.model.enqueue({ text: 'slow '.repeat(200), chunkSize: 5, delayMs: 20 }, { text: 'short' })
    const failed = await f.acp.failedPrompt(sessionId, 'first')
    expect(failed.message).toContain('took longer than 0.6 s in all')
    expect(f.acp.agentText(sessionId)).toContain('took longer than 0.6 s in all')
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('short')
  })

  it('cancels a stalled stream at once', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'stuck here', chunkSize: 4, stallAfterChunks: 2 }, { text: 'after cancel' })
    const running = f.acp.prompt(sessionId, 'first')
    await f.acp.waitFor(() => f.acp.agentText(sessionId).length > 0)
    await f.acp.cancel(sessionId)
    expect((await running).stopReason).toBe('cancelled')
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('after cancel')
  })
})
