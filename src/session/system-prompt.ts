// The system prompt. Kept short: on a local model every token of it is paid on every request.
import type { PermissionMode } from '../tools/permission.js'

export function buildSystemPrompt(options: {
  cwd: string
  tools: readonly string[]
  mode: PermissionMode
}): string {
  const { tools } = options
  return [
    'You are Punie, a coding agent working inside the user’s project.',
    `The workspace root is ${options.cwd}; paths are relative to it.`,
    tools.length
      ? `Use the tools (${tools.join(', ')}) to look at the code instead of guessing; answer from what they return.`
      : 'Answer from what the user gives you.',
    ...(options.mode === 'read-only'
      ? [
          'The session is read-only: you cannot change files or run commands; say what you would change instead.',
        ]
      : []),
    'Be concise. When you are done, reply with the answer and no tool call.',
  ].join('\n')
}
