// Repairs a session left mid-turn by an agent that died (or lost the session to another process): its
// unfinished tool calls and turns end as failed, "interrupted", both in the event log that session/load
// replays and in the history the model reads next.
import type { ChatMessage } from '../model/types.js'
import type { AgentEvent, AgentEventBody } from './events.js'

export const INTERRUPTED =
  'interrupted: the agent stopped before this tool call finished; its effects, if any, are unknown'

export interface Repairs {
  events: AgentEventBody[]
  messages: ChatMessage[]
}

export function interruptedRepairs(events: readonly AgentEvent[], history: readonly ChatMessage[]): Repairs {
  const openTools = new Map<string, { turnId: string; name: string }>()
  const openTurns = new Set<string>()
  for (const event of events) {
    if (event.type === 'turn.start') openTurns.add(event.turnId)
    else if (event.type === 'turn.end') openTurns.delete(event.turnId)
    else if (event.type === 'tool.start')
      openTools.set(event.toolCallId, { turnId: event.turnId, name: event.name })
    else if (event.type === 'tool.end') openTools.delete(event.toolCallId)
  }
  const repaired: AgentEventBody[] = [...openTools].map(([toolCallId, { turnId, name }]) => ({
    type: 'tool.end',
    turnId,
    toolCallId,
    name,
    status: 'failed',
    error: INTERRUPTED,
    durationMs: 0,
  }))
  for (const turnId of openTurns)
    repaired.push({ type: 'turn.end', turnId, stopReason: 'cancelled', durationMs: 0 })
  return { events: repaired, messages: unansweredToolCalls(history) }
}

/** Results for the calls of the last assistant message that never got one, so the history stays well formed. */
function unansweredToolCalls(history: readonly ChatMessage[]): ChatMessage[] {
  let last = history.length - 1
  while (last >= 0 && history[last]?.role === 'tool') last--
  const assistant = history[last]
  if (assistant?.role !== 'assistant' || !assistant.toolCalls?.length) return []
  const answered = new Set(history.slice(last + 1).flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : [])))
  return assistant.toolCalls
    .filter((call) => !answered.has(call.id))
    .map((call) => ({ role: 'tool', toolCallId: call.id, content: `Error: ${INTERRUPTED}` }))
}
