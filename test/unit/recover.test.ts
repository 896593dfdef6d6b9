import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/model/types.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'
import { INTERRUPTED, interruptedRepairs } from '../../src/session/recover.js'

let seq = 0
const ev = (body: AgentEventBody) => ({ ...body, sessionId: 's', seq: ++seq, at: 0 }) as AgentEvent
const start = (toolCallId: string, turnId = 't1') =>
  ev({
    type: 'tool.start',
    turnId,
    toolCallId,
    name: 'run_command',
    kind: 'execute',
    title: 'x',
    locations: [],
    input: {},
    content: [],
    backend: 'local',
  })

describe('interruptedRepairs', () => {
  it('closes the tool calls and the turn a dead agent left open, and nothing else', () => {
    const events = [
      ev({ type: 'turn.start', turnId: 't0', prompt: [] }),
      ev({ type: 'turn.end', turnId: 't0', stopReason: 'end_turn', durationMs: 1 }),
      ev({ type: 'turn.start', turnId: 't1', prompt: [] }),
      start('done'),
      ev({
        type: 'tool.end',
        turnId: 't1',
        toolCallId: 'done',
        name: 'run_command',
        status: 'completed',
        durationMs: 1,
      }),
      start('open'),
    ]
    expect(interruptedRepairs(events, []).events).toEqual([
      {
        type: 'tool.end',
        turnId: 't1',
        toolCallId: 'open',
        name: 'run_command',
        status: 'failed',
        error: INTERRUPTED,
        durationMs: 0,
      },
      { type: 'turn.end', turnId: 't1', stopReason: 'cancelled', durationMs: 0 },
    ])
    expect(interruptedRepairs(events.slice(0, 2), [])).toEqual({ events: [], messages: [] })
  })

  it('answers the unanswered calls of the last assistant message as interrupted', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'a', name: 'read_file', arguments: '{}' },
          { id: 'b', name: 'run_command', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'a', content: 'ok' },
    ]
    expect(interruptedRepairs([], history).messages).toEqual([
      { role: 'tool', toolCallId: 'b', content: `Error: ${INTERRUPTED}` },
    ])
    expect(interruptedRepairs([], history.slice(0, 1)).messages).toEqual([])
  })
})
