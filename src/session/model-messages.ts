// The message list sent to the model, built from the session history. Pure.
import type { ChatMessage } from '../model/types.js'

export const NOT_RUN_RESULT = 'This tool call was not run: the turn was interrupted.'

/**
 * Prepends the system prompt, merges back-to-back user messages (left by turns that failed before the
 * model answered; strict chat templates reject them) and answers tool calls that never got a result.
 */
export function buildModelMessages(systemPrompt: string, history: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [{ role: 'system', content: systemPrompt }]
  let pendingCalls: string[] = []
  const closePending = () => {
    for (const id of pendingCalls) out.push({ role: 'tool', toolCallId: id, content: NOT_RUN_RESULT })
    pendingCalls = []
  }
  for (const message of history) {
    if (message.role === 'tool') {
      pendingCalls = pendingCalls.filter((id) => id !== message.toolCallId)
      out.push(message)
      continue
    }
    closePending()
    const last = out[out.length - 1]
    if (message.role === 'user' && last?.role === 'user') {
      out[out.length - 1] = { role: 'user', content: `${last.content}\n\n${message.content}` }
      continue
    }
    out.push(message)
    if (message.role === 'assistant' && message.toolCalls) pendingCalls = message.toolCalls.map((c) => c.id)
  }
  closePending()
  return out
}
