// Punie's tools as `punie mcp` lists them, each derived from its one definition: the input schema the model
// sees, the output schema of its typed result, and hints from its kind and permission. Pure.
import type { Tool as McpTool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { changesWorkspace, type Tool } from '../../tools/define.js'
import type { PermissionMode } from '../../tools/permission.js'
import { compactSchema, toModelSchema } from '../../tools/registry.js'

export function mcpToolOf(tool: Tool): McpTool {
  const output = outputJsonSchema(tool)
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: toModelSchema(tool).parameters as McpTool['inputSchema'],
    ...(output ? { outputSchema: output } : {}),
    annotations: annotationsOf(tool),
  }
}

/**
 * Read-only: nothing it does changes the workspace and it never asks. Everything else may overwrite what is
 * there (an edit replaces text, a command does anything). Only commands and fetches reach past the workspace.
 */
export function annotationsOf(tool: Pick<Tool, 'kind' | 'permission' | 'asks'>): ToolAnnotations {
  const readOnly = !changesWorkspace(tool) && tool.permission === 'never' && !tool.asks
  return {
    readOnlyHint: readOnly,
    destructiveHint: !readOnly,
    openWorldHint: tool.kind === 'execute' || tool.kind === 'fetch',
  }
}

/**
 * The JSON schema of a tool's typed result, when it is an object (MCP's structuredContent must be one); the
 * client checks each result against it, so it is the schema of what `run` returns, not of what it takes.
 */
export function outputJsonSchema(tool: Pick<Tool, 'output'>): McpTool['outputSchema'] | undefined {
  let schema: Record<string, unknown>
  try {
    schema = z.toJSONSchema(tool.output, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (schema.type !== 'object') return undefined
  const { $schema: _ignored, ...rest } = compactSchema(schema)
  return rest as McpTool['outputSchema']
}

/**
 * The tools `punie mcp` serves: the built-in ones, less those that only make sense inside a Punie turn (the
 * plan is shown as the session's plan), narrowed to `only` when given. Unknown names are returned, not dropped.
 */
export function servedTools(
  all: readonly Tool[],
  only?: readonly string[],
): { tools: Tool[]; unknown: string[] } {
  const servable = all.filter((t) => t.presentation !== 'plan')
  if (!only) return { tools: servable, unknown: [] }
  const byName = new Map(servable.map((t) => [t.name, t]))
  return {
    tools: servable.filter((t) => only.includes(t.name)),
    unknown: only.filter((name) => !byName.has(name)),
  }
}

/** What tools/list shows: in read-only mode, as in a session, no tool that writes or runs commands. */
export function listedTools(tools: readonly Tool[], mode: PermissionMode): Tool[] {
  return tools.filter((t) => mode !== 'read-only' || !changesWorkspace(t))
}
