// AgentEvent: everything a turn does, as one ordered stream. Every surface and recorder reads it; none mutate it.
import type { ChatMessage, FinishReason, ToolCallRequest, ToolSchema, Usage } from '../model/types.js'
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from '../tools/define.js'
import type { PermissionMode, PermissionOutcome } from '../tools/permission.js'
import type { ToolMode } from '../tools/tool-mode.js'
import type { ContextState } from './context-view.js'
import type { PromptBlock } from './prompt.js'

export type ToolBackend = 'ide' | 'local' | 'sandbox'

export type StopReason = 'end_turn' | 'max_tokens' | 'max_turn_requests' | 'refusal' | 'cancelled'

export type AgentEventBody =
  | { type: 'turn.start'; turnId: string; prompt: PromptBlock[] }
  | { type: 'message.delta'; turnId: string; messageId: string; text: string }
  | { type: 'thought.delta'; turnId: string; messageId: string; text: string }
  | {
      type: 'model.start'
      turnId: string
      request: number
      model: string
      baseURL: string
      /** Set for side requests (a context summary) that are not the turn's own. */
      purpose?: 'summary'
    }
  | {
      /** What a turn's request carried beyond the previous one's (see request-log.ts), for replayable sessions. */
      type: 'model.request'
      turnId: string
      request: number
      keep: number
      append: ChatMessage[]
      tools?: ToolSchema[]
      /** The tools travelled inside the system prompt (a server without native tool calls). */
      textTools?: true
      /** A side request (a context summary): logged whole, not a delta, and not the base of the next. */
      purpose?: 'summary'
    }
  | {
      /** The model's answer as it arrived, before any text tool-call parsing: what a replay serves back. */
      type: 'model.response'
      turnId: string
      request: number
      text: string
      reasoning?: string
      toolCalls?: ToolCallRequest[]
      finish: FinishReason
      usage?: Usage
      purpose?: 'summary'
    }
  | {
      type: 'model.end'
      turnId: string
      request: number
      ok: boolean
      purpose?: 'summary'
      firstTokenMs?: number
      durationMs: number
      usage?: Usage
      error?: string
    }
  | {
      type: 'tool.start'
      turnId: string
      toolCallId: string
      name: string
      kind: ToolKind
      title: string
      locations: ToolLocation[]
      input: unknown
      content: ToolContent[]
      /** The card this call belongs to, for calls made from code run by execute_code. */
      parentToolCallId?: string
      /** Where the work happens: the IDE, this machine, or the Python sandbox. */
      backend: ToolBackend
    }
  | {
      type: 'tool.update'
      turnId: string
      toolCallId: string
      status?: 'in_progress'
      content?: ToolContent[]
      title?: string
    }
  | {
      type: 'permission.request'
      turnId: string
      toolCallId: string
      title: string
      /** What an "always" answer would cover. */
      scope: string
      /** Set where "always" is not offered (a sensitive write, a compound command). */
      allowAlways?: false
    }
  | { type: 'permission.response'; turnId: string; toolCallId: string; outcome: PermissionOutcome }
  | { type: 'plan'; turnId: string; entries: PlanEntry[] }
  | {
      type: 'tool.end'
      turnId: string
      toolCallId: string
      name: string
      status: 'completed' | 'failed'
      output?: unknown
      error?: string
      content?: ToolContent[]
      durationMs: number
    }
  | { type: 'usage'; turnId: string; usage: Usage; contextWindow: number }
  | {
      /** The model's view of the history changed: `state` is what later requests (and a reloaded session) carry. */
      type: 'context.compacted'
      turnId: string
      state: ContextState
      masked: number
      summarized: number
      tokensBefore: number
      tokensAfter: number
      budget: number
      manual: boolean
    }
  | { type: 'session.title'; title: string }
  | { type: 'session.model'; model: string }
  | { type: 'session.mode'; mode: PermissionMode }
  | { type: 'session.toolMode'; toolMode: ToolMode }
  | { type: 'session.cleared' }
  | { type: 'turn.end'; turnId: string; stopReason: StopReason; durationMs: number }

export type AgentEvent = AgentEventBody & { sessionId: string; seq: number; at: number }

export type AgentEventListener = (event: AgentEvent) => void
