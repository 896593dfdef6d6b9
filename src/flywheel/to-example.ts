// A captured turn as a canonical training example: the derived system prompt and tools, the turn's own
// conversation (a turn is self-contained: earlier turns are not repeated), its labels and provenance. Pure.
import { EXECUTE_CODE } from '../codemode/execute-code.js'
import type { Example, Message, ToolDefinition } from '../dataset/example.js'
import type { ChatMessage } from '../model/types.js'
import type { SessionRecord } from '../session/ports.js'
import type { TurnLabels } from './labels.js'
import type { Offered } from './offered.js'
import type { CapturedTurn } from './turns.js'

export function exampleId(sessionId: string, turnId: string): string {
  return `flywheel:${sessionId}/${turnId}`
}

export function turnToExample(
  record: SessionRecord,
  turn: CapturedTurn,
  labels: TurnLabels,
  offered: Offered,
): Example {
  const messages: Message[] = [
    { role: 'system', content: offered.systemPrompt },
    ...turn.messages.map(toMessage),
  ]
  const called = new Set(
    turn.messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.name) : [])),
  )
  // A tool called by name that was not among the JSON tools (a listed one) is added, so that every call names
  // a defined tool.
  const tools: ToolDefinition[] = [...offered.tools]
  for (const name of called) {
    if (tools.some((t) => t.function.name === name)) continue
    const extra = offered.reachable.get(name)
    if (extra) tools.push(extra)
  }
  return {
    messages,
    ...(tools.length ? { tools } : {}),
    metadata: {
      id: exampleId(record.id, turn.turnId),
      source: `session ${record.id} turn ${turn.index + 1}`,
      category: 'flywheel',
      outcome: labels.outcome,
      labels: labels.labels,
      toolMode: called.has(EXECUTE_CODE) ? 'code' : 'direct',
      project: record.project,
      sessionId: record.id,
      turnId: turn.turnId,
      capturedAt: new Date(turn.at).toISOString(),
      model: record.model,
    },
  }
}

function toMessage(message: ChatMessage): Message {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content }
    case 'assistant':
      return message.toolCalls?.length
        ? {
            role: 'assistant',
            content: message.content || null,
            tool_calls: message.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : { role: 'assistant', content: message.content }
  }
}
