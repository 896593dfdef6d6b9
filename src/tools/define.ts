// A tool is defined once; its schema for the model, its ACP card and its listing all derive from this.
import type { z } from 'zod'
import type { Workspace } from '../workspace/workspace.js'

export type ToolKind =
  | 'read'
  | 'edit'
  | 'delete'
  | 'move'
  | 'search'
  | 'execute'
  | 'think'
  | 'fetch'
  | 'other'
export type ToolPermission = 'never' | 'ask'

export interface ToolLocation {
  path: string
  line?: number
}

/** What a running tool may touch: everything comes through here, nothing from module state. */
export interface ToolContext {
  sessionId: string
  toolCallId: string
  signal: AbortSignal
  workspace: Workspace
}

export interface ToolDefinition<In extends z.ZodType, Out extends z.ZodType> {
  name: string
  description: string
  kind: ToolKind
  permission: ToolPermission
  input: In
  output: Out
  title?: (input: z.infer<In>) => string
  locations?: (input: z.infer<In>) => ToolLocation[]
  /** How the result reads to the model; JSON when absent. */
  render?: (output: z.infer<Out>) => string
  run: (input: z.infer<In>, ctx: ToolContext) => Promise<z.infer<Out>>
}

/** A tool with its types erased, as the registry and the turn loop hold it. */
export interface Tool {
  name: string
  description: string
  kind: ToolKind
  permission: ToolPermission
  input: z.ZodType
  output: z.ZodType
  title(input: unknown): string
  locations(input: unknown): ToolLocation[]
  render(output: unknown): string
  run(input: unknown, ctx: ToolContext): Promise<unknown>
}

export function defineTool<In extends z.ZodType, Out extends z.ZodType>(def: ToolDefinition<In, Out>): Tool {
  return {
    name: def.name,
    description: def.description,
    kind: def.kind,
    permission: def.permission,
    input: def.input,
    output: def.output,
    title: (input) => (def.title ? def.title(input as z.infer<In>) : def.name),
    locations: (input) => (def.locations ? def.locations(input as z.infer<In>) : []),
    render: (output) => (def.render ? def.render(output as z.infer<Out>) : JSON.stringify(output)),
    run: (input, ctx) => def.run(input as z.infer<In>, ctx),
  }
}
