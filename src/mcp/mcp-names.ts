// Names MCP tools and prompts take in Punie: `<server>__<tool>`, a Python identifier (Code Mode calls it as a
// function) that cannot be a built-in's name. A name taken twice is reported, never merged silently. Pure.

/** The longest function name OpenAI-style APIs accept. */
const MAX_NAME_CHARS = 64

/** `get-sum` → `get_sum`; a leading digit gets an underscore before it. */
export function identifierPart(text: string): string {
  const part = text.replace(/[^A-Za-z0-9_]/g, '_')
  return /^[0-9]/.test(part) ? `_${part}` : part || '_'
}

export function mcpToolName(server: string, tool: string): string {
  return `${identifierPart(server)}__${identifierPart(tool)}`.slice(0, MAX_NAME_CHARS)
}

/** `/mcp__everything__simple-prompt`, as Claude Code names MCP prompts; slash commands are lower case. */
export function mcpCommandName(server: string, prompt: string): string {
  const part = (text: string) => text.toLowerCase().replace(/[^a-z0-9_-]/g, '_')
  return `mcp__${part(server)}__${part(prompt)}`
}

export interface NamedEntry<T> {
  name: string
  entry: T
}

/**
 * Keeps the first of each name and the names not `reserved` (the built-ins); every other is a clash, described in
 * one line for the user and the log.
 */
export function claimNames<T>(
  wanted: readonly NamedEntry<T>[],
  reserved: ReadonlySet<string>,
  describe: (entry: T) => string,
): { kept: NamedEntry<T>[]; clashes: string[] } {
  const kept: NamedEntry<T>[] = []
  const clashes: string[] = []
  const byName = new Map<string, T>()
  for (const item of wanted) {
    if (reserved.has(item.name)) {
      clashes.push(`${describe(item.entry)} is not offered: its name ${item.name} is a built-in tool's`)
      continue
    }
    const first = byName.get(item.name)
    if (first !== undefined) {
      clashes.push(
        `${describe(item.entry)} is not offered: its name ${item.name} is taken by ${describe(first)}`,
      )
      continue
    }
    byName.set(item.name, item.entry)
    kept.push(item)
  }
  return { kept, clashes }
}
