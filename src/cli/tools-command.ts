// `punie tools`: every built-in tool, and Code Mode's execute_code, as a table or as JSON, derived from the tool
// definitions.
import { createExecuteCode, DEFAULT_CODE_LIMITS } from '../codemode/execute-code.js'
import { toolStubs } from '../codemode/stubs.js'
import { builtinTools } from '../tools/builtin/index.js'
import type { Tool } from '../tools/define.js'
import { inputJsonSchema } from '../tools/registry.js'

export interface ToolListing {
  name: string
  kind: Tool['kind']
  permission: Tool['permission']
  /** When a call asks the user: "yes", "no", "before writing", "when fix=true", "per tool it calls". */
  asks: string
  description: string
  inputSchema: Record<string, unknown>
}

/** The tools a session offers: the built-in ones and execute_code, which Code Mode adds over them. */
export function listedTools(): Tool[] {
  const executeCode = createExecuteCode({
    sandbox: () => {
      throw new Error('the listing never runs code')
    },
    tools: builtinTools,
    stubs: toolStubs([]),
    limits: DEFAULT_CODE_LIMITS,
  })
  return [...builtinTools, executeCode]
}

/** When a call of the tool asks permission, in a few words, from its `permission` and `asks` fields. */
export function whenItAsks(tool: Pick<Tool, 'permission' | 'asks'>): string {
  // `asks` says more than `permission` where both are set (a change set asks only when it changes files).
  if (tool.asks?.via === 'calls') return 'per tool it calls'
  if (tool.asks) return tool.asks.when ? `when ${tool.asks.when}=true` : 'before writing'
  return tool.permission === 'ask' ? 'yes' : 'no'
}

export function toolListings(tools: readonly Tool[] = listedTools()): ToolListing[] {
  return tools.map((t) => ({
    name: t.name,
    kind: t.kind,
    permission: t.permission,
    asks: whenItAsks(t),
    description: t.description,
    inputSchema: inputJsonSchema(t),
  }))
}

export function formatToolTable(listings: ToolListing[], width = process.stdout.columns || 120): string {
  const nameWidth = Math.max(4, ...listings.map((l) => l.name.length))
  const asksWidth = Math.max(4, ...listings.map((l) => l.asks.length))
  const head = `${'name'.padEnd(nameWidth)}  ${'kind'.padEnd(7)}  ${'asks'.padEnd(asksWidth)}  description`
  const room = Math.max(20, width - nameWidth - asksWidth - 15)
  const rows = listings.map((l) => {
    const description = l.description.length > room ? `${l.description.slice(0, room - 1)}…` : l.description
    return `${l.name.padEnd(nameWidth)}  ${l.kind.padEnd(7)}  ${l.asks.padEnd(asksWidth)}  ${description}`
  })
  return [head, ...rows].join('\n')
}
