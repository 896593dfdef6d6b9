// Runs one tool call the model asked for: validate, preview, ask permission, run, and report it all as
// events and a tool message the model reads.
import { z } from 'zod'
import type { DevtoolSettings } from '../devtools/settings.js'
import type { Logger } from '../log/logger.js'
import type { ChatMessage, ToolCallRequest } from '../model/types.js'
import { rulesAfterWrite } from '../rules/after-write.js'
import { changedPaths, changeSetPermission } from '../tools/change-set.js'
import type { PlanEntry, ProjectScope, Tool, ToolContent, ToolContext } from '../tools/define.js'
import { boundValue, capToolResult, headBytes } from '../tools/limits.js'
import {
  decidePermission,
  exactScope,
  type Grants,
  type PermissionMode,
  type PermissionOutcome,
} from '../tools/permission.js'
import type { ToolRegistry } from '../tools/registry.js'
import { sensitiveWrites } from '../tools/sensitive-paths.js'
import type { Workspace } from '../workspace/workspace.js'
import type { AgentEventBody, ToolBackend } from './events.js'
import type { PermissionRequest } from './ports.js'

export interface PermissionContext {
  mode: PermissionMode
  grants: Grants
  remember(key: string, allowed: boolean): void
  ask(request: PermissionRequest, signal: AbortSignal): Promise<PermissionOutcome>
  /** A `cancelled` answer ends the whole turn. */
  cancelTurn(): void
}

export interface ToolCallDeps {
  sessionId: string
  turnId: string
  registry: ToolRegistry
  workspace: Workspace
  signal: AbortSignal
  permissions: PermissionContext
  emit(body: AgentEventBody): void
  logger: Logger
  /** Set for calls made by another tool (code run by execute_code), whose card is the parent. */
  parentToolCallId?: string
  memo<T>(key: string, make: () => T): T
  project: ProjectScope
  settings: DevtoolSettings
  newId(prefix: string): string
}

export type FailureKind = 'invalid' | 'not_found' | 'permission' | 'timeout' | 'cancelled' | 'failed'

export interface ToolCallOutcome {
  message: Extract<ChatMessage, { role: 'tool' }>
  /** False when the model's call could not even be attempted (unknown tool, bad arguments). */
  valid: boolean
  /** The tool's result, when it ran to completion. */
  output?: unknown
  /** Read by the model beside the result: a caller that passes on only `output` passes these on too. */
  notes?: string[]
  failure?: { kind: FailureKind; message: string }
}

export const REJECTED_HINT =
  'Do not retry the same call: ask the user how to proceed, or take another approach.'

export async function executeToolCall(call: ToolCallRequest, d: ToolCallDeps): Promise<ToolCallOutcome> {
  const started = performance.now()
  const { turnId } = d
  const toolCallId = call.id
  let announced = false
  // The one place a tool result becomes part of the conversation: its size is capped here for every tool.
  const maxBytes = d.settings.maxToolResultBytes
  const reply = (content: string, valid: boolean, extra: Partial<ToolCallOutcome> = {}): ToolCallOutcome => ({
    message: { role: 'tool', toolCallId, content: capToolResult(content, maxBytes) },
    valid,
    ...extra,
  })
  // What a card and a permission request show is bounded like a result: a model can send megabytes of arguments.
  const shown = (tool: Tool | undefined, input: unknown) => ({
    title: cappedText(tool ? safely(() => tool.title(input), call.name) : call.name),
    // Computed from the arguments before or without validation, so a location's path may be anything.
    locations: (tool ? safely(() => tool.locations(input), []) : [])
      .filter((l) => typeof l?.path === 'string')
      .slice(0, MAX_CARD_LOCATIONS)
      .map((l) => ({ ...l, path: cappedText(l.path) })),
    input: boundValue(input, maxBytes * 2).value,
  })
  const announce = (tool: Tool | undefined, input: unknown, content: ToolContent[] = []) => {
    announced = true
    d.emit({
      type: 'tool.start',
      turnId,
      toolCallId,
      name: call.name,
      kind: tool?.kind ?? 'other',
      ...shown(tool, input),
      content,
      ...(d.parentToolCallId ? { parentToolCallId: d.parentToolCallId } : {}),
      backend: tool ? backendOf(tool, d.workspace) : 'local',
    })
  }
  const fail = (
    tool: Tool | undefined,
    input: unknown,
    error: string,
    valid: boolean,
    hint = '',
    kind: FailureKind = 'failed',
  ) => {
    if (!announced) announce(tool, input)
    d.emit({
      type: 'tool.end',
      turnId,
      toolCallId,
      name: call.name,
      status: 'failed',
      error: headBytes(error, maxBytes),
      durationMs: performance.now() - started,
    })
    return reply(`Error: ${error}${hint ? `\n${hint}` : ''}`, valid, { failure: { kind, message: error } })
  }

  const tool = d.registry.get(call.name)
  const parsed = parseArguments(call.arguments)
  const rawInput = parsed.ok ? parsed.value : call.arguments
  if (!tool) {
    const names = d.registry
      .list()
      .map((t) => t.name)
      .join(', ')
    return fail(
      undefined,
      rawInput,
      `unknown tool "${call.name}"`,
      false,
      `Available tools: ${names}.`,
      'invalid',
    )
  }
  if (!parsed.ok) {
    const error = `the arguments for ${call.name} are not valid JSON (${parsed.error})`
    return fail(
      tool,
      rawInput,
      error,
      false,
      'Send the arguments as one JSON object matching the tool schema.',
      'invalid',
    )
  }
  const checked = tool.input.safeParse(parsed.value)
  if (!checked.success) {
    const error = `invalid arguments for ${call.name}: ${z.prettifyError(checked.error)}`
    return fail(tool, rawInput, error, false, 'Fix the arguments and call the tool again.', 'invalid')
  }
  const input = checked.data
  const ctx: ToolContext = {
    sessionId: d.sessionId,
    toolCallId,
    signal: d.signal,
    workspace: d.workspace,
    // A preview may report progress (a language server starting) before the card exists: that opens the card.
    emit: (update) =>
      announced
        ? d.emit({ type: 'tool.update', turnId, toolCallId, ...update })
        : announce(tool, input, update.content ?? []),
    callTool: async (name, args) => {
      const nested = await executeToolCall(
        { id: d.newId('call'), name, arguments: JSON.stringify(args ?? {}) },
        { ...d, parentToolCallId: toolCallId },
      )
      if (nested.failure) return { ok: false, ...nested.failure }
      return { ok: true, output: nested.output, ...(nested.notes ? { notes: nested.notes } : {}) }
    },
    memo: d.memo,
    project: d.project,
    settings: d.settings,
  }

  if (tool.presentation === 'plan') {
    const output = (await tool.run(input, ctx)) as { entries: PlanEntry[] }
    d.emit({ type: 'plan', turnId, entries: output.entries })
    return reply(tool.render(output), true, { output })
  }

  let preview: ToolContent[]
  try {
    preview = await tool.preview(input, ctx)
  } catch (error) {
    return fail(tool, input, messageOf(error), true, hintFor(error), failureKind(error))
  }
  if (announced) d.emit({ type: 'tool.update', turnId, toolCallId, content: preview })
  else announce(tool, input, preview)

  const scope = await tool.permissionScope(input).catch(() => exactScope('*'))
  // A change set is decided once for all its files, as an edit of the paths its preview diffs: the same policy
  // as a single edit, so the rule on sensitive paths holds for each of them.
  const sensitive = await sensitiveWrites(d.workspace, [
    ...safely(() => tool.writes(input), []),
    ...changedPaths(preview),
  ])
  const asked = changeSetPermission(tool, preview)
  const verdict = decidePermission(d.permissions.mode, asked, { scope, sensitive }, d.permissions.grants)
  if (verdict.action === 'deny') return fail(tool, input, verdict.reason, true, REJECTED_HINT, 'permission')
  if (verdict.action === 'ask') {
    const card = shown(tool, input)
    const title = card.title
    d.emit({
      type: 'permission.request',
      turnId,
      toolCallId,
      title,
      scope: scope.allow ?? scope.reject,
      ...(verdict.allowKey === null ? { allowAlways: false as const } : {}),
    })
    let outcome: PermissionOutcome
    try {
      outcome = await d.permissions.ask(
        {
          toolCallId,
          toolName: tool.name,
          title,
          kind: asked.kind,
          input: card.input,
          locations: card.locations,
          content: preview,
          ...(verdict.allowKey === null ? { allowAlways: false } : {}),
        },
        d.signal,
      )
    } catch (error) {
      outcome = d.signal.aborted ? 'cancelled' : 'reject_once'
      d.logger.warn('permission request failed: %s', error)
    }
    d.emit({ type: 'permission.response', turnId, toolCallId, outcome })
    if (outcome === 'cancelled') {
      d.permissions.cancelTurn()
      return fail(tool, input, 'cancelled by the user', true, '', 'cancelled')
    }
    if (outcome === 'allow_always' && verdict.allowKey) d.permissions.remember(verdict.allowKey, true)
    if (outcome === 'reject_always') d.permissions.remember(verdict.rejectKey, false)
    if (outcome === 'reject_once' || outcome === 'reject_always') {
      return fail(tool, input, `the user rejected ${title}`, true, REJECTED_HINT, 'permission')
    }
  }

  d.emit({ type: 'tool.update', turnId, toolCallId, status: 'in_progress' })
  try {
    const output = await tool.run(input, ctx)
    const shape = tool.output.safeParse(output)
    if (!shape.success)
      d.logger.warn('tool %s returned output off its schema: %s', tool.name, shape.error.message)
    // The project's rules check what the call wrote; the model reads their issues with this result.
    const findings = changesFiles(tool, preview)
      ? await rulesAfterWrite(ctx, [...safely(() => tool.writes(input), []), ...changedPaths(preview)])
      : undefined
    const content = safely(() => tool.content(output, input), preview)
    d.emit({
      type: 'tool.end',
      turnId,
      toolCallId,
      name: call.name,
      status: 'completed',
      // What the store and the IDE keep; the tool's caller (code in the sandbox) still gets all of it.
      output: storedOutput(output, maxBytes),
      content: findings ? [...content, { type: 'text', text: findings }] : content,
      durationMs: performance.now() - started,
    })
    return findings
      ? reply(`${tool.render(output)}\n\n${findings}`, true, { output, notes: [findings] })
      : reply(tool.render(output), true, { output })
  } catch (error) {
    if (d.signal.aborted) return fail(tool, input, 'cancelled by the user', true, '', 'cancelled')
    d.logger.debug('tool %s failed: %s', tool.name, messageOf(error))
    return fail(tool, input, messageOf(error), true, hintFor(error), failureKind(error))
  }
}

/** Whether a call that completed wrote files: an edit tool, or a change set whose preview had diffs. */
function changesFiles(tool: Tool, preview: readonly ToolContent[]): boolean {
  return tool.kind === 'edit' || changedPaths(preview).length > 0
}

const MAX_CARD_TITLE_CHARS = 2000
const MAX_CARD_LOCATIONS = 100

function cappedText(text: string): string {
  return text.length <= MAX_CARD_TITLE_CHARS
    ? text
    : `${text.slice(0, MAX_CARD_TITLE_CHARS)}… [${text.length - MAX_CARD_TITLE_CHARS} more characters]`
}

/**
 * A result kept in the event log (and shown to the IDE as raw output) is bounded too, with room for the
 * JSON around what the model reads; markers in the value say where it was cut.
 */
function storedOutput(output: unknown, maxBytes: number): unknown {
  return boundValue(output, maxBytes * 2).value
}

type ParsedArguments = { ok: true; value: unknown } | { ok: false; error: string }

export function parseArguments(text: string): ParsedArguments {
  if (!text.trim()) return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Which side does a tool's work, for timing by backend. */
export function backendOf(tool: Tool, workspace: Workspace): ToolBackend {
  if (tool.runsIn) return tool.runsIn
  switch (tool.kind) {
    case 'read':
      return workspace.backends.read
    case 'edit':
    case 'delete':
    case 'move':
      return workspace.backends.write
    case 'execute':
      return workspace.backends.terminal
    default:
      return 'local'
  }
}

function failureKind(error: unknown): FailureKind {
  const name = (error as { name?: string })?.name
  if (name === 'WorkspaceFileNotFoundError') return 'not_found'
  if (name === 'WorkspaceBoundaryError') return 'permission'
  if (name === 'TimeoutError') return 'timeout'
  if (name === 'DevtoolError')
    return (error as { failure?: string }).failure === 'timeout' ? 'timeout' : 'failed'
  if (name === 'EditError' || name === 'UnknownTerminalError') return 'invalid'
  return 'failed'
}

function hintFor(error: unknown): string {
  const name = (error as { name?: string })?.name
  if (name === 'WorkspaceBoundaryError') return 'Use a path inside the workspace, relative to its root.'
  if (name === 'WorkspaceFileNotFoundError')
    return 'Check the path (it is relative to the workspace root); list_dir or glob can find it.'
  if (name === 'UnknownTerminalError')
    return 'Use a terminal id returned by run_command with background: true.'
  return ''
}

function safely<T>(make: () => T, fallback: T): T {
  try {
    return make()
  } catch {
    return fallback
  }
}
