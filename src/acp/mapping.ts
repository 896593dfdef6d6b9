// Pure mappings between Punie's session core and ACP shapes. No connection in sight.
import type {
  AvailableCommand,
  ContentBlock,
  SessionConfigOption,
  SessionInfo,
  SessionUpdate,
  ToolCallContent,
} from '@agentclientprotocol/sdk'
import { SLASH_COMMANDS } from '../session/commands.js'
import type { AgentEvent } from '../session/events.js'
import type { SessionRecord } from '../session/ports.js'
import type { PromptBlock } from '../session/prompt.js'

export const MODEL_CONFIG_ID = 'model'

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
  modelOptions(current: string): SessionConfigOption[]
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
        },
      ]
    case 'tool.update':
      return [{ sessionUpdate: 'tool_call_update', toolCallId: event.toolCallId, status: event.status }]
    case 'tool.end':
      return [
        {
          sessionUpdate: 'tool_call_update',
          toolCallId: event.toolCallId,
          status: event.status,
          rawOutput: event.status === 'completed' ? event.output : { error: event.error },
          ...(event.error ? { content: [textContent(event.error)] } : {}),
        },
      ]
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
      return [{ sessionUpdate: 'config_option_update', configOptions: ctx.modelOptions(event.model) }]
    case 'model.start':
    case 'model.end':
    case 'session.cleared':
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

export function modelConfigOptions(current: string, known: readonly string[]): SessionConfigOption[] {
  const values = [...new Set([current, ...known])]
  return [
    {
      id: MODEL_CONFIG_ID,
      name: 'Model',
      description:
        'Model spec: local, local:NAME, ollama:NAME, lmstudio:NAME, openai:NAME or http://host:port/v1/NAME',
      category: 'model',
      type: 'select',
      currentValue: current,
      options: values.map((value) => ({ value, name: value })),
    },
  ]
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
