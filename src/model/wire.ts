// Pure conversions between Punie's chat types and the OpenAI chat-completions wire format.
// Servers vary (reasoning_content vs reasoning, missing ids, object arguments), so reading is defensive.
import type { ChatMessage, FinishReason, ToolCallRequest, ToolSchema, Usage } from './types.js'

export type WireMessage = Record<string, unknown>

export function toWireMessages(
  messages: ChatMessage[],
  options: { textTools: boolean } = { textTools: false },
): WireMessage[] {
  return messages.map((m) => {
    switch (m.role) {
      case 'assistant':
        if (!m.toolCalls?.length) return { role: 'assistant', content: m.content }
        if (options.textTools) {
          const calls = m.toolCalls.map(
            (c) =>
              `<tool_call>\n${JSON.stringify({ name: c.name, arguments: parseOr(c.arguments) })}\n</tool_call>`,
          )
          return { role: 'assistant', content: [m.content, ...calls].filter(Boolean).join('\n') }
        }
        return {
          role: 'assistant',
          content: m.content || null,
          tool_calls: m.toolCalls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        }
      case 'tool':
        // Servers without tool calling have no tool role in their chat template.
        return options.textTools
          ? { role: 'user', content: `<tool_response>\n${m.content}\n</tool_response>` }
          : { role: 'tool', tool_call_id: m.toolCallId, content: m.content }
      case 'user':
        if (!m.images?.length) return { role: 'user', content: m.content }
        return {
          role: 'user',
          content: [
            ...(m.content ? [{ type: 'text', text: m.content }] : []),
            ...m.images.map((i) => ({
              type: 'image_url',
              image_url: { url: `data:${i.mimeType};base64,${i.data}` },
            })),
          ],
        }
      default:
        return { role: m.role, content: m.content }
    }
  })
}

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json)
  } catch {
    return json
  }
}

export function toWireTools(tools: ToolSchema[]) {
  return tools.map((t) => ({
    type: 'function' as const,
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }))
}

export function readFinishReason(value: unknown): FinishReason | undefined {
  if (value === null || value === undefined) return undefined
  if (value === 'stop' || value === 'length' || value === 'tool_calls' || value === 'content_filter')
    return value
  if (value === 'function_call') return 'tool_calls'
  return 'other'
}

export function readUsage(value: unknown): Usage | undefined {
  if (!value || typeof value !== 'object') return undefined
  const u = value as Record<string, unknown>
  const prompt = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0
  const total = typeof u.total_tokens === 'number' ? u.total_tokens : prompt + completion
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total }
}

/** Reasoning text under the names servers use for it. */
export function readReasoning(delta: Record<string, unknown>): string {
  for (const key of ['reasoning_content', 'reasoning']) {
    const value = delta[key]
    if (typeof value === 'string' && value) return value
  }
  return ''
}

export function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined || value === null) return ''
  return JSON.stringify(value)
}

/** Collects tool calls whose name and arguments arrive in pieces across stream deltas. */
export class ToolCallAssembler {
  private readonly calls = new Map<number, { id?: string; name: string; arguments: string }>()

  add(delta: unknown, fallbackIndex: number): void {
    if (!delta || typeof delta !== 'object') return
    const d = delta as Record<string, unknown>
    const index = typeof d.index === 'number' ? d.index : fallbackIndex
    const fn = (d.function ?? {}) as Record<string, unknown>
    const call = this.calls.get(index) ?? { name: '', arguments: '' }
    if (typeof d.id === 'string' && d.id) call.id = d.id
    if (typeof fn.name === 'string') call.name += fn.name
    call.arguments += argumentsText(fn.arguments)
    this.calls.set(index, call)
  }

  finish(newId: () => string): ToolCallRequest[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .filter(([, c]) => c.name)
      .map(([, c]) => ({ id: c.id ?? newId(), name: c.name, arguments: c.arguments }))
  }
}
