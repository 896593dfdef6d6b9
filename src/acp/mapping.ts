// Pure mappings between Punie's session core and ACP shapes. No connection in sight.
import { isAbsolute, resolve } from 'node:path'
import {
  type AvailableCommand,
  type ContentBlock,
  type PermissionOption,
  RequestError,
  type RequestPermissionResponse,
  type SessionConfigOption,
  type SessionInfo,
  type SessionModeState,
  type SessionUpdate,
  type ToolCallContent,
  type ToolCallUpdate,
} from '@agentclientprotocol/sdk'
import { SLASH_COMMANDS, type SlashCommand } from '../session/commands.js'
import type { AgentEvent } from '../session/events.js'
import type { PermissionRequest, SessionRecord } from '../session/ports.js'
import { base64Bytes, IMAGE_TYPES, MAX_IMAGE_BYTES, type PromptBlock } from '../session/prompt.js'
import type { ToolContent, ToolLocation } from '../tools/define.js'
import { formatBytes } from '../tools/limits.js'
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
      case 'image':
        return toImageBlock(block)
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
    case 'image':
      return {
        type: 'image',
        mimeType: block.mimeType,
        data: block.data,
        ...(block.uri ? { uri: block.uri } : {}),
      }
    case 'unsupported':
      return { type: 'text', text: `[${block.kind} left out]` }
  }
}

/** An image the model may get: a known format within the size limit; anything else becomes a note. */
function toImageBlock(block: { mimeType: string; data: string; uri?: string | null }): PromptBlock {
  if (!IMAGE_TYPES.includes(block.mimeType))
    return { type: 'unsupported', kind: `image of type ${block.mimeType}` }
  const bytes = base64Bytes(block.data)
  if (bytes > MAX_IMAGE_BYTES)
    return {
      type: 'unsupported',
      kind: `image of ${formatBytes(bytes)}, over the ${formatBytes(MAX_IMAGE_BYTES)} limit`,
    }
  return {
    type: 'image',
    mimeType: block.mimeType,
    data: block.data,
    ...(block.uri ? { uri: block.uri } : {}),
  }
}

export interface UpdateContext {
  /** Live events skip what the client already shows (its own prompt); a replay sends everything. */
  mode: 'live' | 'replay'
  /** The session's cwd: tools name paths relative to it, ACP wants them absolute. */
  cwd: string
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
          locations: event.locations.map((l) => toAcpLocation(l, ctx.cwd)),
          rawInput: event.input,
          ...(event.content?.length ? { content: event.content.map((c) => toAcpContent(c, ctx.cwd)) } : {}),
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
          ...(event.content ? { content: event.content.map((c) => toAcpContent(c, ctx.cwd)) } : {}),
        },
      ]
    case 'tool.end': {
      const content = [
        ...(event.content ?? []).map((c) => toAcpContent(c, ctx.cwd)),
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
    case 'session.mode':
      // Both ways of showing the mode hear of it, whichever way (set_mode, the config option, /mode) set it.
      return ctx.mode === 'live'
        ? [
            { sessionUpdate: 'current_mode_update', currentModeId: event.mode },
            { sessionUpdate: 'config_option_update', configOptions: ctx.configOptions() },
          ]
        : []
    case 'session.model':
    case 'session.toolMode':
      // ACP has no model update of its own: the model option carries it.
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

/**
 * The older `models` field (SDK 2.x no longer types it; acp-factory and other clients still read it), served by
 * `session/set_model`. The same choices as the model config option.
 */
export interface SessionModelState {
  currentModelId: string
  availableModels: { modelId: string; name: string; description?: string }[]
}

/** The parameters of `session/set_model`. */
export interface SetSessionModelRequest {
  sessionId: string
  modelId: string
}

/** `session/set_model` params, checked by hand: the SDK has no schema for it any more. */
export function parseSetModelParams(params: unknown): SetSessionModelRequest {
  const p = (params ?? {}) as Record<string, unknown>
  if (typeof p.sessionId !== 'string' || typeof p.modelId !== 'string' || !p.modelId)
    throw RequestError.invalidParams(
      undefined,
      'session/set_model takes { sessionId: string, modelId: string }',
    )
  return { sessionId: p.sessionId, modelId: p.modelId }
}

/** The older `modes` field, served by `session/set_mode`: the permission modes, as in the mode config option. */
export function sessionModes(mode: PermissionMode): SessionModeState {
  return {
    currentModeId: mode,
    availableModes: PERMISSION_MODES.map((id) => ({ id, ...MODE_DESCRIPTIONS[id] })),
  }
}

export function sessionModels(model: string, choices: readonly string[]): SessionModelState {
  return {
    currentModelId: model,
    availableModels: [...new Set([model, ...choices])].map((modelId) => ({ modelId, name: modelId })),
  }
}

/** The config options; `models` are the model choices (see model/choose.ts), the current one first if missing. */
export function sessionConfigOptions(
  current: { model: string; mode: PermissionMode; toolMode: ToolMode },
  modelChoices: readonly string[],
): SessionConfigOption[] {
  const models = [...new Set([current.model, ...modelChoices])]
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

/** ACP paths are absolute; a tool's relative path is relative to the session's cwd. */
export function acpPath(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path)
}

export function toAcpLocation(location: ToolLocation, cwd: string) {
  return { path: acpPath(location.path, cwd), ...(location.line ? { line: location.line } : {}) }
}

export function toAcpContent(content: ToolContent, cwd: string): ToolCallContent {
  switch (content.type) {
    case 'text':
      return textContent(content.text)
    case 'diff':
      return {
        type: 'diff',
        path: acpPath(content.path, cwd),
        oldText: content.oldText,
        newText: content.newText,
      }
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

export function permissionToolCall(request: PermissionRequest, cwd: string): ToolCallUpdate {
  return {
    toolCallId: request.toolCallId,
    title: request.title,
    kind: request.kind,
    status: 'pending',
    rawInput: request.input,
    locations: request.locations.map((l) => toAcpLocation(l, cwd)),
    ...(request.content.length ? { content: request.content.map((c) => toAcpContent(c, cwd)) } : {}),
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

export function availableCommands(extra: readonly SlashCommand[] = []): AvailableCommand[] {
  return [...SLASH_COMMANDS, ...extra].map((c) => ({
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
