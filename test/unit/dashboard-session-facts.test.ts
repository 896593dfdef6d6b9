import { describe, expect, it } from 'vitest'
import { applyEvent, busyMs, emptyFacts } from '../../src/server/dashboard/session-facts.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'

/** Events of one session, numbered and timed 10 ms apart from t=1000. */
function events(...bodies: AgentEventBody[]): AgentEvent[] {
  return bodies.map((body, i) => ({ ...body, sessionId: 's', seq: i + 1, at: 1000 + i * 10 }) as AgentEvent)
}

const tool = (toolCallId: string, name: string): AgentEventBody => ({
  type: 'tool.start',
  turnId: 't1',
  toolCallId,
  name,
  kind: 'edit',
  title: name,
  locations: [],
  input: {},
  content: [],
  backend: 'local',
})

describe('session facts', () => {
  it('follows a turn through thinking, a tool, a permission request and back to idle', () => {
    const facts = emptyFacts()
    const states: string[] = []
    const stream = events(
      { type: 'turn.start', turnId: 't1', prompt: [{ type: 'text', text: 'hi' }] },
      { type: 'model.start', turnId: 't1', request: 1, model: 'm', baseURL: 'u' },
      {
        type: 'model.end',
        turnId: 't1',
        request: 1,
        ok: true,
        durationMs: 5,
        usage: { promptTokens: 100, completionTokens: 7, totalTokens: 107 },
      },
      tool('c1', 'write_file'),
      { type: 'permission.request', turnId: 't1', toolCallId: 'c1', title: 'Write a.txt', scope: 'a.txt' },
      { type: 'permission.response', turnId: 't1', toolCallId: 'c1', outcome: 'allow_once' },
      {
        type: 'tool.end',
        turnId: 't1',
        toolCallId: 'c1',
        name: 'write_file',
        status: 'completed',
        durationMs: 3,
      },
      { type: 'message.delta', turnId: 't1', messageId: 'm1', text: 'done' },
      { type: 'turn.end', turnId: 't1', stopReason: 'end_turn', durationMs: 80 },
    )
    for (const event of stream) {
      applyEvent(facts, event)
      states.push(facts.activity.state)
    }
    expect(states).toEqual([
      'thinking',
      'thinking',
      'thinking',
      'tool',
      'permission',
      'tool',
      'thinking',
      'thinking',
      'idle',
    ])
    expect(facts).toMatchObject({ turns: 1, promptTokens: 100, completionTokens: 7, finishedMs: 80 })
    expect(busyMs(facts, 99_999)).toBe(80)
  })

  it('names the pending request and the innermost running tool, and counts the running turn’s time', () => {
    const facts = emptyFacts()
    for (const event of events(
      { type: 'turn.start', turnId: 't1', prompt: [] },
      tool('code', 'execute_code'),
      tool('nested', 'read_file'),
    ))
      applyEvent(facts, event)
    expect(facts.activity).toEqual({ state: 'tool', tool: 'read_file', since: 1020 })
    applyEvent(facts, {
      type: 'permission.request',
      turnId: 't1',
      toolCallId: 'nested',
      title: 'Read secret',
      scope: 's',
      sessionId: 's',
      seq: 4,
      at: 1030,
    })
    expect(facts.activity.permission).toEqual({
      toolCallId: 'nested',
      title: 'Read secret',
      scope: 's',
      at: 1030,
    })
    expect(busyMs(facts, 1500)).toBe(500)
  })

  it('keeps why the last turn failed until the next turn starts', () => {
    const facts = emptyFacts()
    for (const event of events(
      { type: 'turn.start', turnId: 't1', prompt: [] },
      { type: 'model.start', turnId: 't1', request: 1, model: 'm', baseURL: 'u' },
      {
        type: 'model.end',
        turnId: 't1',
        request: 1,
        ok: false,
        durationMs: 3,
        error: 'no model server at :9',
      },
      { type: 'turn.end', turnId: 't1', stopReason: 'end_turn', durationMs: 5 },
    ))
      applyEvent(facts, event)
    expect(facts.failure).toBe('no model server at :9')
    expect(facts.activity.state).toBe('idle')
    applyEvent(facts, { type: 'turn.start', turnId: 't2', prompt: [], sessionId: 's', seq: 9, at: 2000 })
    expect(facts.failure).toBeUndefined()
  })

  it('ignores an event it has already folded, so a replay over a live stream counts nothing twice', () => {
    const facts = emptyFacts()
    const [start, end] = events(
      { type: 'turn.start', turnId: 't1', prompt: [] },
      { type: 'turn.end', turnId: 't1', stopReason: 'cancelled', durationMs: 40 },
    )
    for (const event of [start, end, start, end]) applyEvent(facts, event as AgentEvent)
    expect(facts.turns).toBe(1)
    expect(facts.finishedMs).toBe(40)
  })
})
