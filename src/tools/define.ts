// A tool is defined once; its schema for the model, its ACP card, its permission request, its Code Mode
// stub and its listing all derive from this.
import type { z } from 'zod'
import type { DevtoolSettings } from '../devtools/settings.js'
import type { Workspace } from '../workspace/workspace.js'
import { type CallScope, exactScope } from './permission.js'

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

/**
 * How a tool whose own permission is 'never' still asks, through the tools it calls: each file it writes asks
 * like an edit (only when the boolean input `when` is true, if set: lint's `fix`), or each tool its code calls
 * asks as a direct call would (execute_code). `punie tools` shows it.
 */
export type AsksVia = { via: 'writes'; when?: string } | { via: 'calls' }

export interface ToolLocation {
  path: string
  line?: number
}

/** What a tool call shows the user besides its title: text, a diff, or a live terminal. */
export type ToolContent =
  | { type: 'text'; text: string }
  | { type: 'diff'; path: string; oldText: string | null; newText: string }
  | { type: 'terminal'; terminalId: string }

export interface PlanEntry {
  content: string
  status: 'pending' | 'in_progress' | 'completed'
  priority: 'high' | 'medium' | 'low'
}

/** A project as tools see it: the git root around the session's cwd (or the cwd), and its shared values. */
export interface ProjectScope {
  readonly root: string
  /** A value shared by every open session of the project, made on first use. */
  memo<T>(key: string, make: () => T): T
}

/** What a running tool may touch: everything comes through here, nothing from module state. */
export interface ToolContext {
  sessionId: string
  toolCallId: string
  signal: AbortSignal
  workspace: Workspace
  /** Shows progress on the tool call card (live terminal, partial output). */
  emit(update: { content?: ToolContent[]; title?: string }): void
  /** Calls another tool as the model would: validated, permission-checked, shown as a card of its own. */
  callTool(name: string, args: unknown): Promise<NestedToolResult>
  /** A value kept for the rest of the session (a linter, a language server), made on first use. */
  memo<T>(key: string, make: () => T): T
  /** The session's project: its root, and values shared by its open sessions (language servers). */
  project: ProjectScope
  /** The user's choice of developer-tool backends. */
  settings: DevtoolSettings
}

export type NestedToolResult =
  /** `notes`: what the model should read beside the output (the project rules' issues after an edit). */
  | { ok: true; output: unknown; notes?: string[] }
  | {
      ok: false
      kind: 'invalid' | 'not_found' | 'permission' | 'timeout' | 'cancelled' | 'failed'
      message: string
    }

export interface ToolDefinition<In extends z.ZodType, Out extends z.ZodType> {
  name: string
  description: string
  kind: ToolKind
  permission: ToolPermission
  asks?: AsksVia
  input: In
  output: Out
  title?: (input: z.infer<In>) => string
  locations?: (input: z.infer<In>) => ToolLocation[]
  /** Computed before running, e.g. the diff an edit would make; shown with the permission request. It may throw. */
  preview?: (input: z.infer<In>, ctx: ToolContext) => Promise<ToolContent[]>
  /** The card's content once the tool is done. */
  content?: (output: z.infer<Out>, input: z.infer<In>) => ToolContent[]
  /** What "always" answers remember beside the tool name: a path, or a parsed command's scope. */
  permissionScope?: (input: z.infer<In>) => string | CallScope | Promise<CallScope>
  /** The workspace paths the call writes or may write into; a sensitive one (in .git/, .punie/) always asks. */
  writes?: (input: z.infer<In>) => string[]
  /** A plan tool's result is shown as the session plan rather than as a tool card. */
  presentation?: 'card' | 'plan'
  /** How the result reads to the model; JSON when absent. */
  render?: (output: z.infer<Out>) => string
  /** Set for a tool that exists only where the project has what it works on (check_rules: a rules file). */
  present?: (where: ToolPlace) => boolean
  run: (input: z.infer<In>, ctx: ToolContext) => Promise<z.infer<Out>>
}

/** Where a session works: its cwd and its project root. */
export interface ToolPlace {
  cwd: string
  root: string
}

/** A tool with its types erased, as the registry and the turn loop hold it. */
export interface Tool {
  name: string
  description: string
  kind: ToolKind
  permission: ToolPermission
  asks?: AsksVia
  presentation: 'card' | 'plan'
  input: z.ZodType
  output: z.ZodType
  /** The JSON schema the model sees, when it is not derived from `input` (tools offered by the IDE). */
  modelSchema?: Record<string, unknown>
  /** The JSON schema of the result, when it is not derived from `output` (an MCP tool's `outputSchema`). */
  outputModelSchema?: Record<string, unknown>
  /** Set for tools that run elsewhere than the workspace implies: in the IDE itself, or in the sandbox. */
  runsIn?: 'ide' | 'sandbox'
  /**
   * Set for tools whose writes form one change set (tools/change-set.ts): a call asks once, as an edit of the
   * files its preview diffs, and needs no permission when its preview changes nothing.
   */
  changeSet?: boolean
  present?: (where: ToolPlace) => boolean
  title(input: unknown): string
  locations(input: unknown): ToolLocation[]
  preview(input: unknown, ctx: ToolContext): Promise<ToolContent[]>
  content(output: unknown, input: unknown): ToolContent[]
  permissionScope(input: unknown): Promise<CallScope>
  writes(input: unknown): string[]
  render(output: unknown): string
  run(input: unknown, ctx: ToolContext): Promise<unknown>
}

export function defineTool<In extends z.ZodType, Out extends z.ZodType>(def: ToolDefinition<In, Out>): Tool {
  type I = z.infer<In>
  type O = z.infer<Out>
  return {
    name: def.name,
    description: def.description,
    kind: def.kind,
    permission: def.permission,
    ...(def.asks ? { asks: def.asks } : {}),
    ...(def.present ? { present: def.present } : {}),
    presentation: def.presentation ?? 'card',
    input: def.input,
    output: def.output,
    title: (input) => (def.title ? def.title(input as I) : def.name),
    locations: (input) => (def.locations ? def.locations(input as I) : []),
    preview: async (input, ctx) => (def.preview ? def.preview(input as I, ctx) : []),
    content: (output, input) => (def.content ? def.content(output as O, input as I) : []),
    permissionScope: async (input) => {
      const scope = def.permissionScope ? await def.permissionScope(input as I) : '*'
      return typeof scope === 'string' ? exactScope(scope) : scope
    },
    writes: (input) => (def.writes ? def.writes(input as I) : []),
    render: (output) => (def.render ? def.render(output as O) : JSON.stringify(output)),
    run: (input, ctx) => def.run(input as I, ctx),
  }
}

/** Tools that change the workspace or run commands; read-only mode offers none of them. */
export function changesWorkspace(tool: Pick<Tool, 'kind'>): boolean {
  return tool.kind === 'edit' || tool.kind === 'delete' || tool.kind === 'move' || tool.kind === 'execute'
}
