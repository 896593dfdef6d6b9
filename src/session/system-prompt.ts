// The system prompt. Kept short: on a local model every token of it is paid on every request.
import type { ToolRegistry } from '../tools/registry.js'

export function buildSystemPrompt(options: { cwd: string; registry: ToolRegistry }): string {
  const tools = options.registry.list().map((t) => t.name)
  return [
    'You are Punie, a coding agent working inside the user’s project.',
    `The workspace root is ${options.cwd}; paths are relative to it.`,
    tools.length
      ? `Use the tools (${tools.join(', ')}) to look at the code instead of guessing; answer from what they return.`
      : 'Answer from what the user gives you.',
    'Be concise. When you are done, reply with the answer and no tool call.',
  ].join('\n')
}
