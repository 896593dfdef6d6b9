// How a turn presents its tools to the model, per tool mode: which go as JSON tools with their schemas, and
// which are listed in the prompt in one line each (reached from code, or through call_tool) and described on
// demand by tool_help. One mechanism for built-in, IDE-catalog and MCP tools alike; pure.
import { signatureLine } from '../codemode/stubs.js'
import { isCoreTool } from '../tools/core.js'
import type { Tool } from '../tools/define.js'
import type { ToolMode } from '../tools/tool-mode.js'

/** Listing lines beyond this many bytes give way to bare names; a catalog of hundreds stays behind tool_help. */
export const LISTING_BUDGET_BYTES = 4096
/** Past this many bytes of names, only a count is said. */
const NAMES_BUDGET_BYTES = 600

export interface ToolHelpers {
  /** Absent in direct mode. */
  executeCode?: Tool
  toolHelp: Tool
  callTool: Tool
}

export interface ToolPresentation {
  /** Offered as JSON tools, with their (compact) schemas. */
  json: Tool[]
  /** Listed in the prompt in one line each. */
  listed: Tool[]
  /** How the listed tools are reached: as functions in execute_code's code, or with call_tool. */
  via: 'code' | 'call_tool'
}

export function presentTools(allowed: readonly Tool[], mode: ToolMode, h: ToolHelpers): ToolPresentation {
  const core = allowed.filter(isCoreTool)
  const rest = allowed.filter((t) => !isCoreTool(t))
  const code = h.executeCode ? [h.executeCode] : []
  switch (mode) {
    case 'direct':
      return { json: rest.length ? [...core, h.toolHelp, h.callTool] : core, listed: rest, via: 'call_tool' }
    case 'both':
      return { json: [...core, ...code, h.toolHelp], listed: rest, via: 'code' }
    case 'code':
      // tool_help right after the core tools, so a listing cut short by its budget still names it.
      return { json: code, listed: [...core, h.toolHelp, ...rest], via: 'code' }
  }
}

/** The prompt's lines for the listed tools: whole signatures up to the budget, then names, then a count. */
export function listingLines(tools: readonly Tool[], budget = LISTING_BUDGET_BYTES): string[] {
  const lines: string[] = []
  let used = 0
  let i = 0
  for (; i < tools.length; i++) {
    const line = `- ${signatureLine(tools[i] as Tool)}`
    if (used + line.length > budget) break
    lines.push(line)
    used += line.length + 1
  }
  const names: string[] = []
  let nameBytes = 0
  for (; i < tools.length && nameBytes < NAMES_BUDGET_BYTES; i++) {
    names.push((tools[i] as Tool).name)
    nameBytes += (tools[i] as Tool).name.length + 2
  }
  if (names.length) lines.push(`- also: ${names.join(', ')}`)
  if (i < tools.length) lines.push(`- and ${tools.length - i} more: tool_help() lists them all`)
  return lines
}
