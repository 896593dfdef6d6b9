// Pure mappings between Punie's session core and ACP shapes. No connection in sight.
import type {
  AvailableCommand,
  ContentBlock,
  PermissionOption,
  RequestPermissionResponse,
  SessionConfigOption,
  SessionInfo,
  SessionUpdate,
  ToolCallContent,
  ToolCallUpdate,
} from '@agentclientprotocol/sdk'
import { SLASH_COMMANDS } from '../session/commands.js'
import type { AgentEvent } from '../session/events.js'
import type { PermissionRequest, SessionRecord } from '../session/ports.js'
import type { PromptBlock } from '../session/prompt.js'
import type { ToolContent } from '../tools/define.js'
import {
  MODE_DESCRIPTIONS,
  PERMISSION_MODES,
  type PermissionMode,
  type PermissionOutcome,
} from '../tools/permission.js'
import { TOOL_MODE_DESCRIPTIONS, TOOL_MODES, type ToolMode } from '../tools/tool-mode.js'

export const MODEL_CONFIG_ID = 'model'
export const MODE_CONFIG_ID = 'mode'
export const TOOL_MODE_CONFIG_ID = 'tool_mode'

export function toPromptBlocks(blocks: ContentBlock[]): PromptBlock[] {
  return blocks.map((block): PromptBlock => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text }
      case 'resource_link':
        return { type: 'resource_link', ...linkFields(block) }
      case 'resource':
        if ('text' in block.resource) {
          return {
            type: 'resource',
            uri: block.resource.uri,
            text: block.resource.text,
            ...(block.resource.mimeType ? { mimeType: block.resource.mimeType } : {}),
          }
        }
        return { type: 'unsupported', kind: 'binary resource' }
      default:
        return { type: 'unsupported', kind: block.type }
    }
  })
}

export function fromPromptBlock(block: PromptBlock): ContentBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text }
    case 'resource':
      return {
        type: 'resource',
        resource: {
          uri: block.uri,
          text: block.text,
          ...(block.mimeType ? { mimeType: block.mimeType } : {}),
        },
      }
    case 'resource_link':
      return { type: 'resource_link', ...linkFields(block) }
    case 'unsupported':
      return { type: 'text', text: `[${block.kind} left out]` }
  }
}

export interface UpdateContext {
  /** Live events skip what the client already shows (its own prompt); a replay sends everything. */
  mode: 'live' | 'replay'
  /** The session's config options as they stand now. */
  configOptions(): SessionConfigOption[]
}

export function eventToUpdates(event: AgentEvent, ctx: UpdateContext): SessionUpdate[] {
  switch (event.type) {
    case 'turn.start':
      return ctx.mode === 'replay'
        ? event.prompt.map((block) => ({
            sessionUpdate: 'user_message_chunk',
            content: fromPromptBlock(block),
          }))
        : []
    case 'message.delta':
      return [
        {
          sessionUpdate: 'agent_message_chunk',
          messageId: event.messageId,
          content: { type: 'text', text: event.text },
        },
      ]
    case 'thought.delta':
      return [
        {
          sessionUpdate: 'agent_thought_chunk',
          messageId: event.messageId,
          content: { type: 'text', text: event.text },
        },
      ]
    case 'tool.start':
      return [
        {
          sessionUpdate: 'tool_call',
          toolCallId: event.toolCallId,
          title: event.title,
          kind: event.kind,
          status: 'pending',
          locations: event.locations.map((l) => ({ path: l.path, ...(l.line ? { line: l.line } : {}) })),
          rawInput: event.input,
          ...(event.content?.length ? { content: event.content.map(toAcpContent) } : {}),
          // The tool's own name, which ACP's card does not carry, for clients that script Punie (ask --json).
          _meta: {
            punie: {
              tool: event.name,
              ...(event.parentToolCallId ? { parentToolCallId: event.parentToolCallId } : {}),
            },
          },
        },
      ]
    case 'tool.update':
      return [
        {
          sessionUpdate: 'tool_call_update',
          toolCallId: event.toolCallId,
          ...(event.status ? { status: event.status } : {}),
          ...(event.title ? { title: event.title } : {}),
          ...(event.content ? { content: event.content.map(toAcpContent) } : {}),
        },
      ]
    case 'tool.end': {
      const content = [
        ...(event.content ?? []).map(toAcpContent),
        ...(event.error ? [textContent(event.error)] : []),
      ]
      return [
        {
          sessionUpdate: 'tool_call_update',
          toolCallId: event.toolCallId,
          status: event.status,
          rawOutput: event.status === 'completed' ? event.output : { error: event.error },
          ...(content.length ? { content } : {}),
        },
      ]
    }
    case 'plan':
      return [{ sessionUpdate: 'plan', entries: event.entries }]
    case 'usage':
      return [{ sessionUpdate: 'usage_update', used: event.usage.totalTokens, size: event.contextWindow }]
    case 'session.title':
      return [
        {
          sessionUpdate: 'session_info_update',
          title: event.title,
          updatedAt: new Date(event.at).toISOString(),
        },
      ]
    case 'session.model':
    case 'session.mode':
    case 'session.toolMode':
      return ctx.mode === 'live'
        ? [{ sessionUpdate: 'config_option_update', configOptions: ctx.configOptions() }]
        : []
    case 'permission.request':
    case 'permission.response':
    case 'model.start':
    case 'model.request':
    case 'model.response':
    case 'model.end':
    case 'session.cleared':
    case 'context.compacted':
    case 'turn.end':
      return []
  }
}

/** Joins runs of deltas from one message so a replay sends one chunk per message, not one per token. */
export function coalesceDeltas(events: AgentEvent[]): AgentEvent[] {
  const out: AgentEvent[] = []
  for (const event of events) {
    const last = out[out.length - 1]
    if (
      last &&
      (event.type === 'message.delta' || event.type === 'thought.delta') &&
      last.type === event.type &&
      last.messageId === event.messageId
    ) {
      out[out.length - 1] = { ...last, text: last.text + event.text }
      continue
    }
    out.push(event)
  }
  return out
}

export function sessionConfigOptions(
  current: { model: string; mode: PermissionMode; toolMode: ToolMode },
  knownModels: readonly string[],
): SessionConfigOption[] {
  const models = [...new Set([current.model, ...knownModels])]
  return [
    {
      id: MODEL_CONFIG_ID,
      name: 'Model',
      description:
        'Model spec: local, local:NAME, ollama:NAME, lmstudio:NAME, openai:NAME or http://host:port/v1/NAME',
      category: 'model',
      type: 'select',
      currentValue: current.model,
      options: models.map((value) => ({ value, name: value })),
    },
    {
      id: MODE_CONFIG_ID,
      name: 'Permissions',
      description: 'What the agent may do without asking',
      category: 'mode',
      type: 'select',
      currentValue: current.mode,
      options: PERMISSION_MODES.map((value) => ({ value, ...MODE_DESCRIPTIONS[value] })),
    },
    {
      id: TOOL_MODE_CONFIG_ID,
      name: 'Tool calls',
      description: 'Direct: one JSON call per tool. Code: the model writes Python that calls the tools.',
      category: '_tool_mode',
      type: 'select',
      currentValue: current.toolMode,
      options: TOOL_MODES.map((value) => ({ value, ...TOOL_MODE_DESCRIPTIONS[value] })),
    },
  ]
}

export function toAcpContent(content: ToolContent): ToolCallContent {
  switch (content.type) {
    case 'text':
      return textContent(content.text)
    case 'diff':
      return { type: 'diff', path: content.path, oldText: content.oldText, newText: content.newText }
    case 'terminal':
      return { type: 'terminal', terminalId: content.terminalId }
  }
}

const PERMISSION_CHOICES: readonly { kind: PermissionOption['kind']; name: string }[] = [
  { kind: 'allow_once', name: 'Allow' },
  { kind: 'allow_always', name: 'Always allow' },
  { kind: 'reject_once', name: 'Reject' },
  { kind: 'reject_always', name: 'Always reject' },
]

export function permissionOptions(allowAlways = true): PermissionOption[] {
  return PERMISSION_CHOICES.filter((c) => allowAlways || c.kind !== 'allow_always').map((c) => ({
    optionId: c.kind,
    name: c.name,
    kind: c.kind,
  }))
}

export function permissionToolCall(request: PermissionRequest): ToolCallUpdate {
  return {
    toolCallId: request.toolCallId,
    title: request.title,
    kind: request.kind,
    status: 'pending',
    rawInput: request.input,
    locations: request.locations.map((l) => ({ path: l.path, ...(l.line ? { line: l.line } : {}) })),
    ...(request.content.length ? { content: request.content.map(toAcpContent) } : {}),
  }
}

/** The option the user picked, by its kind; an option id the agent never offered counts as a rejection. */
export function toPermissionOutcome(
  response: RequestPermissionResponse,
  offered: PermissionOption[],
): PermissionOutcome {
  if (response.outcome.outcome === 'cancelled') return 'cancelled'
  const { optionId } = response.outcome
  return offered.find((o) => o.optionId === optionId)?.kind ?? 'reject_once'
}

export function availableCommands(): AvailableCommand[] {
  return SLASH_COMMANDS.map((c) => ({
    name: c.name,
    description: c.description,
    ...(c.hint ? { input: { hint: c.hint } } : {}),
  }))
}

export function toSessionInfo(record: SessionRecord): SessionInfo {
  return {
    sessionId: record.id,
    cwd: record.cwd,
    ...(record.additionalDirectories.length ? { additionalDirectories: record.additionalDirectories } : {}),
    ...(record.title ? { title: record.title } : {}),
    updatedAt: new Date(record.updatedAt).toISOString(),
  }
}

interface LinkFields {
  uri: string
  name: string
  title?: string | null
  description?: string | null
  mimeType?: string | null
}

/** The fields a resource link carries, the same on both sides; empty optional fields are left out. */
function linkFields(link: LinkFields) {
  return {
    uri: link.uri,
    name: link.name,
    ...(link.title ? { title: link.title } : {}),
    ...(link.description ? { description: link.description } : {}),
    ...(link.mimeType ? { mimeType: link.mimeType } : {}),
  }
}

function textContent(text: string): ToolCallContent {
  return { type: 'content', content: { type: 'text', text } }
}
