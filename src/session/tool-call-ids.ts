// A tool call's id names its card in every client (the IDE, the dashboard) for the whole session, and pairs the
// call with its result in the history. Some servers number calls per answer (call_0, call_1, …), so a later
// answer would reuse an id: such a call gets an id of Punie's own. Unique ids are left as the model gave them.
import type { ChatMessage, ToolCallRequest } from '../model/types.js'

export function uniqueCallIds(
  calls: readonly ToolCallRequest[],
  history: readonly ChatMessage[],
  newId: () => string,
): ToolCallRequest[] {
  const used = new Set<string>()
  for (const message of history) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) used.add(call.id)
  }
  return calls.map((call) => {
    const id = used.has(call.id) ? newId() : call.id
    used.add(id)
    return id === call.id ? call : { ...call, id }
  })
}
