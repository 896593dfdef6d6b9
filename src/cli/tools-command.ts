// `punie tools`: every built-in tool, as a table or as JSON, derived from the tool definitions.
import { builtinTools } from '../tools/builtin/index.js'
import type { Tool } from '../tools/define.js'
import { inputJsonSchema } from '../tools/registry.js'

export interface ToolListing {
  name: string
  kind: Tool['kind']
  permission: Tool['permission']
  description: string
  inputSchema: Record<string, unknown>
}

export function toolListings(tools: readonly Tool[] = builtinTools): ToolListing[] {
  return tools.map((t) => ({
    name: t.name,
    kind: t.kind,
    permission: t.permission,
    description: t.description,
    inputSchema: inputJsonSchema(t),
  }))
}

export function formatToolTable(listings: ToolListing[], width = process.stdout.columns || 120): string {
  const nameWidth = Math.max(4, ...listings.map((l) => l.name.length))
  const head = `${'name'.padEnd(nameWidth)}  ${'kind'.padEnd(7)}  ${'asks'.padEnd(5)}  description`
  const room = Math.max(20, width - nameWidth - 20)
  const rows = listings.map((l) => {
    const description = l.description.length > room ? `${l.description.slice(0, room - 1)}…` : l.description
    return `${l.name.padEnd(nameWidth)}  ${l.kind.padEnd(7)}  ${(l.permission === 'ask' ? 'yes' : 'no').padEnd(5)}  ${description}`
  })
  return [head, ...rows].join('\n')
}
