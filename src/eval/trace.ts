// What a case's run did, read from its AgentEvents: the tool calls (with those made from Code Mode, and those
// call_tool forwards as calls of their own), the answer, how the turn ended, and its model time and tokens.
import type { AgentEvent, StopReason } from '../session/events.js'
import { CALL_TOOL } from '../tools/call-tool.js'

export interface TracedCall {
  id: string
  name: string
  args: unknown
  /** Made by code run through execute_code (the id of that call). */
  parentId?: string
  ok?: boolean
}

export interface CaseTrace {
  calls: TracedCall[]
  answer: string
  stopReason?: StopReason
  modelRequests: number
  modelMs: number
  tokens: number
  /** Tokens the model generated (its share of `tokens`), for a generation speed. */
  completionTokens?: number
}

export function traceFrom(events: readonly AgentEvent[]): CaseTrace {
  const calls = new Map<string, TracedCall>()
  let answer = ''
  let stopReason: StopReason | undefined
  let modelRequests = 0
  let modelMs = 0
  let tokens = 0
  let completionTokens = 0
  for (const event of events) {
    switch (event.type) {
      case 'tool.start': {
        // call_tool only forwards: what it calls counts as called where call_tool was (top level, or code).
        const via = event.parentToolCallId ? calls.get(event.parentToolCallId) : undefined
        const parentId = via?.name === CALL_TOOL ? via.parentId : event.parentToolCallId
        calls.set(event.toolCallId, {
          id: event.toolCallId,
          name: event.name,
          args: event.input,
          ...(parentId ? { parentId } : {}),
        })
        break
      }
      case 'tool.end': {
        const call = calls.get(event.toolCallId)
        if (call) call.ok = event.status === 'completed'
        break
      }
      case 'plan':
        // A plan tool reports as the session plan, not as a card: it is still a call the case may expect.
        calls.set(`plan-${event.seq}`, {
          id: `plan-${event.seq}`,
          name: 'plan',
          args: { entries: event.entries },
          ok: true,
        })
        break
      case 'message.delta':
        answer += event.text
        break
      case 'model.end':
        modelRequests++
        modelMs += event.durationMs
        tokens += event.usage?.totalTokens ?? 0
        completionTokens += event.usage?.completionTokens ?? 0
        break
      case 'turn.end':
        stopReason = event.stopReason
        break
    }
  }
  return {
    calls: [...calls.values()].filter((c) => c.name !== CALL_TOOL),
    answer,
    ...(stopReason ? { stopReason } : {}),
    modelRequests,
    modelMs,
    tokens,
    completionTokens,
  }
}
