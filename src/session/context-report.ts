// `/context`: what the next model request carries, part by part, so the user can see what was loaded. Pure.

import { estimateTokens } from '../model/token-estimate.js'
import type { ChatMessage, ToolSchema } from '../model/types.js'
import { formatBytes } from '../tools/limits.js'
import { type ContextState, renderView } from './context-view.js'

export interface ContextReportInput {
  systemPrompt: string
  tools: readonly ToolSchema[]
  history: readonly ChatMessage[]
  state: ContextState
  /** Lines about the project's instructions and skills (knowledge/). */
  knowledge: readonly string[]
}

export function contextReport(input: ContextReportInput): string {
  const view = renderView(input.history, input.state)
  const systemBytes = Buffer.byteLength(input.systemPrompt)
  const toolBytes = input.tools.length ? Buffer.byteLength(JSON.stringify(input.tools)) : 0
  const conversation = view.reduce((n, m) => n + Buffer.byteLength(m.content), 0)
  const tokens =
    estimateTokens(input.systemPrompt) +
    (toolBytes ? Math.ceil(toolBytes / 3) : 0) +
    view.reduce((n, m) => n + estimateTokens(m.content), 0)
  return [
    'What the next model request carries:',
    `- System prompt: ${formatBytes(systemBytes)}`,
    `- Tools offered with their schemas: ${input.tools.length} (${formatBytes(toolBytes)})`,
    `- Conversation: ${view.length} message${view.length === 1 ? '' : 's'} (${formatBytes(conversation)})`,
    ...input.knowledge,
    `About ${tokens} tokens in all (estimated).`,
  ].join('\n')
}
