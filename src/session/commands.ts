// Slash commands a session understands. Surfaces advertise these; the session runs them without a model call.
export interface SlashCommand {
  name: string
  description: string
  hint?: string
}

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  { name: 'help', description: 'Show the commands and the current model' },
  { name: 'clear', description: 'Forget the conversation so far (the transcript is kept)' },
  {
    name: 'compact',
    description:
      "Shrink the model's view: elide old tool results, summarise earlier turns (the transcript is kept)",
  },
  {
    name: 'model',
    description: 'Show or switch the model, e.g. /model ollama:qwen2.5-coder:7b',
    hint: 'model spec',
  },
  {
    name: 'mode',
    description: 'Show or switch the permission mode: ask, accept-edits, read-only, yolo',
    hint: 'mode',
  },
  { name: 'context', description: 'Show what the model sees: prompt, tools, project instructions, skills' },
  { name: 'skills', description: 'List the skills, where each comes from, and any skipped' },
]

export type ParsedCommand = { name: string; args: string }

/** A prompt is a command when its text starts with "/name" for a known name: the session's, or one of `extra`. */
export function parseSlashCommand(
  text: string,
  extra: readonly SlashCommand[] = [],
): ParsedCommand | undefined {
  const match = /^\s*\/([a-z][\w-]*)(?:\s+([\s\S]*))?$/i.exec(text)
  if (!match?.[1]) return undefined
  const name = match[1].toLowerCase()
  if (!SLASH_COMMANDS.some((c) => c.name === name) && !extra.some((c) => c.name === name)) return undefined
  return { name, args: (match[2] ?? '').trim() }
}

export function helpText(model: string, mode: string, extra: readonly SlashCommand[] = []): string {
  const lines = [...SLASH_COMMANDS, ...extra].map(
    (c) => `- \`/${c.name}${c.hint ? ` <${c.hint}>` : ''}\` — ${c.description}`,
  )
  return `Punie commands:\n${lines.join('\n')}\n\nCurrent model: \`${model}\`; mode: \`${mode}\``
}
