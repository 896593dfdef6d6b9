// How the model calls tools; chosen per session, named in the config file and the ACP config options.

/** How the model calls tools: one JSON call per tool, or Python code that calls them as functions. */
export const TOOL_MODES = ['both', 'direct', 'code'] as const
export type ToolMode = (typeof TOOL_MODES)[number]

export const TOOL_MODE_DESCRIPTIONS: Record<ToolMode, { name: string; description: string }> = {
  both: { name: 'Both', description: 'JSON tool calls, and Python code for multi-step work' },
  direct: { name: 'Direct', description: 'One JSON tool call per step' },
  code: { name: 'Code Mode', description: 'One Python snippet calls many tools' },
}

export function isToolMode(value: string): value is ToolMode {
  return (TOOL_MODES as readonly string[]).includes(value)
}
