import { describe, expect, it } from 'vitest'
import { PerfCollector, quantile } from '../../src/perf/collector.js'
import { computeFigures } from '../../src/perf/figures.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'

let seq = 0
const ev = (sessionId: string, at: number, body: AgentEventBody): AgentEvent =>
  ({ ...body, sessionId, seq: ++seq, at }) as AgentEvent
const toolStart = (
  s: string,
  at: number,
  turnId: string,
  toolCallId: string,
  name: string,
  extra: object = {},
) =>
  ev(s, at, {
    type: 'tool.start',
    turnId,
    toolCallId,
    name,
    kind: 'read',
    title: name,
    locations: [],
    input: {},
    content: [],
    backend: 'local',
    ...extra,
  })
const toolEnd = (
  s: string,
  at: number,
  turnId: string,
  toolCallId: string,
  name: string,
  durationMs: number,
  ok = true,
) =>
  ev(s, at, { type: 'tool.end', turnId, toolCallId, name, status: ok ? 'completed' : 'failed', durationMs })

describe('PerfCollector', () => {
  it('splits a turn into model time, tool time and Punie overhead', () => {
    const c = PerfCollector.from([
      ev('s', 0, { type: 'turn.start', turnId: 't', prompt: [] }),
      ev('s', 1, { type: 'model.start', turnId: 't', request: 1, model: 'm', baseURL: 'u' }),
      ev('s', 101, {
        type: 'model.end',
        turnId: 't',
        request: 1,
        ok: true,
        durationMs: 100,
        firstTokenMs: 20,
        usage: { promptTokens: 500, completionTokens: 40, totalTokens: 540 },
      }),
      toolStart('s', 102, 't', 'c1', 'read_file', { backend: 'ide' }),
      toolEnd('s', 132, 't', 'c1', 'read_file', 30),
      ev('s', 133, { type: 'model.start', turnId: 't', request: 2, model: 'm', baseURL: 'u' }),
      ev('s', 183, { type: 'model.end', turnId: 't', request: 2, ok: true, durationMs: 50 }),
      ev('s', 190, { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 190 }),
    ])
    expect(c.turns).toEqual([
      expect.objectContaining({
        totalMs: 190,
        modelMs: 150,
        toolMs: 30,
        overheadMs: 10,
        modelRequests: 2,
        toolCalls: 1,
        promptTokens: 500,
        completionTokens: 40,
      }),
    ])
    expect(c.models[0]).toMatchObject({
      model: 'm',
      firstTokenMs: 20,
      generationMs: 80,
      // 39 tokens after the first, in the 80 ms after it.
      tokensPerSecond: 487.5,
    })
    expect(c.tools[0]).toMatchObject({ name: 'read_file', backend: 'ide', durationMs: 30, ok: true })
  })

  it('keeps overlapping calls of the same tool apart, across sessions too', () => {
    const c = PerfCollector.from([
      ev('a', 0, { type: 'turn.start', turnId: 't', prompt: [] }),
      ev('b', 0, { type: 'turn.start', turnId: 't', prompt: [] }),
      toolStart('a', 1, 't', 'same-id', 'grep', { backend: 'ide' }),
      toolStart('b', 2, 't', 'same-id', 'grep', { backend: 'local' }),
      toolStart('a', 3, 't', 'other', 'grep'),
      toolEnd('b', 10, 't', 'same-id', 'grep', 8),
      toolEnd('a', 20, 't', 'same-id', 'grep', 19, false),
      toolEnd('a', 21, 't', 'other', 'grep', 18),
      ev('a', 30, { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 30 }),
      ev('b', 30, { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 30 }),
    ])
    const byKey = Object.fromEntries(c.tools.map((t) => [`${t.sessionId}/${t.toolCallId}`, t]))
    expect(byKey['a/same-id']).toMatchObject({ backend: 'ide', durationMs: 19, ok: false })
    expect(byKey['b/same-id']).toMatchObject({ backend: 'local', durationMs: 8, ok: true })
    expect(c.turns.find((t) => t.sessionId === 'a')).toMatchObject({ toolMs: 37, toolCalls: 2 })
    expect(c.turns.find((t) => t.sessionId === 'b')).toMatchObject({ toolMs: 8, toolCalls: 1 })
  })

  it('does not count calls made from code twice in the turn', () => {
    const c = PerfCollector.from([
      ev('s', 0, { type: 'turn.start', turnId: 't', prompt: [] }),
      toolStart('s', 1, 't', 'code', 'execute_code', { backend: 'sandbox' }),
      toolStart('s', 2, 't', 'n1', 'read_file', { parentToolCallId: 'code' }),
      toolEnd('s', 12, 't', 'n1', 'read_file', 10),
      toolEnd('s', 40, 't', 'code', 'execute_code', 39),
      ev('s', 50, { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 50 }),
    ])
    expect(c.turns[0]).toMatchObject({ toolMs: 39, toolCalls: 1, overheadMs: 11 })
    expect(c.tools.map((t) => t.name)).toEqual(['read_file', 'execute_code'])
  })

  it('leaves the time a person took to answer a permission request out of tool time, in its own share', () => {
    const c = PerfCollector.from([
      ev('s', 0, { type: 'turn.start', turnId: 't', prompt: [] }),
      toolStart('s', 1, 't', 'code', 'execute_code', { backend: 'sandbox' }),
      toolStart('s', 2, 't', 'w', 'write_file', { parentToolCallId: 'code' }),
      ev('s', 3, { type: 'permission.request', turnId: 't', toolCallId: 'w', title: 'Write a', scope: 'a' }),
      ev('s', 5003, { type: 'permission.response', turnId: 't', toolCallId: 'w', outcome: 'allow_once' }),
      toolEnd('s', 5010, 't', 'w', 'write_file', 5008),
      toolEnd('s', 5020, 't', 'code', 'execute_code', 5019),
      ev('s', 5030, { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 5030 }),
    ])
    expect(c.tools.map((t) => [t.name, t.durationMs])).toEqual([
      ['write_file', 8],
      ['execute_code', 19],
    ])
    expect(c.turns[0]).toMatchObject({ toolMs: 19, waitMs: 5000, overheadMs: 11 })
    const figures = computeFigures(c)
    expect(figures.waitShare).toBeCloseTo(5000 / 5030)
  })

  it('computes report figures: shares, percentiles per tool and per backend', () => {
    const events: AgentEvent[] = []
    for (let i = 0; i < 4; i++) {
      const turnId = `t${i}`
      events.push(ev('s', i * 100, { type: 'turn.start', turnId, prompt: [] }))
      events.push(
        toolStart('s', i * 100 + 1, turnId, `c${i}`, 'read_file', { backend: i % 2 ? 'ide' : 'local' }),
      )
      events.push(toolEnd('s', i * 100 + 11, turnId, `c${i}`, 'read_file', (i + 1) * 10))
      events.push(
        ev('s', i * 100 + 50, { type: 'turn.end', turnId, stopReason: 'end_turn', durationMs: 100 }),
      )
    }
    const figures = computeFigures(PerfCollector.from(events))
    expect(figures.turns).toBe(4)
    expect(figures.toolShare).toBeCloseTo(100 / 400)
    expect(figures.tools).toEqual([{ key: 'read_file', calls: 4, errors: 0, p50: 25, p95: 38.5 }])
    expect(figures.backends.map((b) => [b.key, b.p50])).toEqual([
      ['ide', 30],
      ['local', 20],
    ])
  })

  it('interpolates quantiles', () => {
    expect(quantile([], 0.5)).toBeUndefined()
    expect(quantile([5], 0.95)).toBe(5)
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
  })
})
