// Runs one tool call the model asked for: validate, run, and report it as events and a tool message.
import { z } from 'zod'
import type { Logger } from '../log/logger.js'
import type { ChatMessage, ToolCallRequest } from '../model/types.js'
import type { ToolRegistry } from '../tools/registry.js'
import type { Workspace } from '../workspace/workspace.js'
import type { AgentEventBody } from './events.js'

export interface ToolCallDeps {
  sessionId: string
  turnId: string
  registry: ToolRegistry
  workspace: Workspace
  signal: AbortSignal
  emit(body: AgentEventBody): void
  logger: Logger
}

export interface ToolCallOutcome {
  message: Extract<ChatMessage, { role: 'tool' }>
  /** False when the model's call could not even be attempted (unknown tool, bad arguments). */
  valid: boolean
}

export async function executeToolCall(call: ToolCallRequest, d: ToolCallDeps): Promise<ToolCallOutcome> {
  const started = performance.now()
  const reply = (content: string, valid: boolean): ToolCallOutcome => ({
    message: { role: 'tool', toolCallId: call.id, content },
    valid,
  })
  const fail = (error: string, valid: boolean, hint: string) => {
    d.emit({
      type: 'tool.end',
      turnId: d.turnId,
      toolCallId: call.id,
      name: call.name,
      status: 'failed',
      error,
      durationMs: performance.now() - started,
    })
    return reply(`Error: ${error}${hint ? `\n${hint}` : ''}`, valid)
  }

  const tool = d.registry.get(call.name)
  const parsedArgs = parseArguments(call.arguments)
  d.emit({
    type: 'tool.start',
    turnId: d.turnId,
    toolCallId: call.id,
    name: call.name,
    kind: tool?.kind ?? 'other',
    title: tool && parsedArgs.ok ? safeTitle(() => tool.title(parsedArgs.value), call.name) : call.name,
    locations: tool && parsedArgs.ok ? safeLocations(() => tool.locations(parsedArgs.value)) : [],
    input: parsedArgs.ok ? parsedArgs.value : call.arguments,
  })

  if (!tool) {
    const names = d.registry
      .list()
      .map((t) => t.name)
      .join(', ')
    return fail(`unknown tool "${call.name}"`, false, `Available tools: ${names}.`)
  }
  if (!parsedArgs.ok) {
    return fail(
      `the arguments for ${call.name} are not valid JSON (${parsedArgs.error})`,
      false,
      'Send the arguments as one JSON object matching the tool schema.',
    )
  }
  const input = tool.input.safeParse(parsedArgs.value)
  if (!input.success) {
    return fail(
      `invalid arguments for ${call.name}: ${z.prettifyError(input.error)}`,
      false,
      'Fix the arguments and call the tool again.',
    )
  }

  d.emit({ type: 'tool.update', turnId: d.turnId, toolCallId: call.id, status: 'in_progress' })
  try {
    const output = await tool.run(input.data, {
      sessionId: d.sessionId,
      toolCallId: call.id,
      signal: d.signal,
      workspace: d.workspace,
    })
    const checked = tool.output.safeParse(output)
    if (!checked.success)
      d.logger.warn('tool %s returned output off its schema: %s', tool.name, checked.error.message)
    d.emit({
      type: 'tool.end',
      turnId: d.turnId,
      toolCallId: call.id,
      name: call.name,
      status: 'completed',
      output,
      durationMs: performance.now() - started,
    })
    return reply(tool.render(output), true)
  } catch (error) {
    if (d.signal.aborted) return fail('cancelled by the user', true, '')
    const message = error instanceof Error ? error.message : String(error)
    d.logger.debug('tool %s failed: %s', tool.name, message)
    return fail(message, true, hintFor(error))
  }
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

function hintFor(error: unknown): string {
  const name = (error as { name?: string })?.name
  if (name === 'WorkspaceBoundaryError') return 'Use a path inside the workspace, relative to its root.'
  if (name === 'WorkspaceFileNotFoundError') return 'Check the path: it is relative to the workspace root.'
  return ''
}

function safeTitle(make: () => string, fallback: string): string {
  try {
    return make()
  } catch {
    return fallback
  }
}

function safeLocations(make: () => { path: string; line?: number }[]) {
  try {
    return make()
  } catch {
    return []
  }
}
