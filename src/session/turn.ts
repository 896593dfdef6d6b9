// The turn loop: model → tool calls → results → model, until an answer or a limit.

import type { DevtoolSettings } from '../devtools/settings.js'
import type { Logger } from '../log/logger.js'
import { MarkupHold, parseTextToolCalls, type ToolFormat } from '../model/text-tool-calls.js'
import type {
  ChatMessage,
  ChatModel,
  FinishReason,
  ToolCallRequest,
  ToolSchema,
  Usage,
} from '../model/types.js'
import type { ProjectScope } from '../tools/define.js'
import type { ToolRegistry } from '../tools/registry.js'
import type { Workspace } from '../workspace/workspace.js'
import type { AgentConfig } from './config.js'
import type { SessionContext } from './context.js'
import type { AgentEventBody, StopReason } from './events.js'
import type { RequestLog } from './request-log.js'
import { executeToolCall, type PermissionContext } from './tool-call.js'
import { uniqueCallIds } from './tool-call-ids.js'

export interface TurnDeps {
  sessionId: string
  turnId: string
  model: ChatModel
  registry: ToolRegistry
  /** What the model is offered: the registry, less what the mode forbids. */
  toolSchemas: ToolSchema[]
  toolFormat: ToolFormat
  /** In text format with Code Mode on, fenced Python in the answer becomes a call of this tool. */
  textCodeTool?: string
  workspace: Workspace
  permissions: PermissionContext
  config: AgentConfig
  systemPrompt: string
  /** Builds each request's messages from the history: the model's (compacted) view. */
  context: SessionContext
  signal: AbortSignal
  history(): readonly ChatMessage[]
  commit(message: ChatMessage): void
  emit(body: AgentEventBody): void
  newId(prefix: string): string
  memo<T>(key: string, make: () => T): T
  /** The session's last logged request, which the next `model.request` event is a delta from. */
  requestLog: RequestLog
  project: ProjectScope
  settings: DevtoolSettings
  logger: Logger
}

interface RequestOutcome {
  text: string
  toolCalls: ToolCallRequest[]
  finish: FinishReason
  aborted: boolean
}

export const EMPTY_ANSWER_NOTICE = '(The model returned an empty answer.)'

export async function runTurn(d: TurnDeps): Promise<StopReason> {
  let invalidRounds = 0
  let retriedEmpty = false
  for (let request = 1; request <= d.config.maxTurnRequests; request++) {
    const outcome = await requestOnce(d, request)
    if (outcome.aborted) {
      if (outcome.text) d.commit({ role: 'assistant', content: outcome.text })
      return 'cancelled'
    }
    if (outcome.finish === 'length') {
      d.commit({ role: 'assistant', content: outcome.text })
      return 'max_tokens'
    }
    if (outcome.finish === 'content_filter') {
      d.commit({ role: 'assistant', content: outcome.text })
      return 'refusal'
    }
    if (outcome.toolCalls.length === 0) {
      if (!outcome.text.trim()) {
        if (!retriedEmpty) {
          retriedEmpty = true
          d.logger.info('empty answer from the model; asking once more')
          continue
        }
        say(d, EMPTY_ANSWER_NOTICE)
      }
      d.commit({ role: 'assistant', content: outcome.text })
      return 'end_turn'
    }

    const calls = uniqueCallIds(outcome.toolCalls, d.history(), () => d.newId('call'))
    d.commit({ role: 'assistant', content: outcome.text, toolCalls: calls })
    let anyValid = false
    for (const call of calls) {
      if (d.signal.aborted) break
      const result = await executeToolCall(call, d)
      d.commit(result.message)
      anyValid ||= result.valid
    }
    if (d.signal.aborted) return 'cancelled'
    invalidRounds = anyValid ? 0 : invalidRounds + 1
    if (invalidRounds > d.config.maxInvalidToolRetries) {
      say(d, `Stopped: the model sent invalid tool calls ${invalidRounds} times in a row.`)
      return 'end_turn'
    }
  }
  return 'max_turn_requests'
}

async function requestOnce(d: TurnDeps, request: number): Promise<RequestOutcome> {
  const messageId = d.newId('msg')
  const outcome: RequestOutcome = { text: '', toolCalls: [], finish: 'stop', aborted: false }
  // Without native tool calls guaranteed, markup that may be a call is held back until it can be parsed.
  const hold = d.toolFormat === 'native' ? undefined : new MarkupHold()
  const say = (text: string) => {
    outcome.text += text
    d.emit({ type: 'message.delta', turnId: d.turnId, messageId, text })
  }
  let usage: Usage | undefined
  // The answer as it arrived, for the `model.response` event (the shown text may differ: see MarkupHold).
  let rawText = ''
  let reasoning = ''
  const rawCalls: ToolCallRequest[] = []
  let firstTokenMs: number | undefined
  let started = performance.now()
  const markFirstToken = () => {
    firstTokenMs ??= performance.now() - started
  }
  const prepared = await d.context.prepare({
    model: d.model,
    systemPrompt: d.systemPrompt,
    // In text format the tools travel inside the system prompt, not beside it.
    tools: d.toolFormat === 'text' ? [] : d.toolSchemas,
    history: d.history(),
    signal: d.signal,
    turnId: d.turnId,
    request,
    emit: d.emit,
    newId: d.newId,
  })
  const textTools = d.toolFormat === 'text'
  d.emit({
    type: 'model.request',
    turnId: d.turnId,
    request,
    ...d.requestLog.next(prepared.messages, textTools ? [] : d.toolSchemas),
    ...(textTools ? { textTools: true as const } : {}),
  })
  d.emit({
    type: 'model.start',
    turnId: d.turnId,
    request,
    model: d.model.info.model,
    baseURL: d.model.info.baseURL,
  })
  started = performance.now()
  const end = (ok: boolean, error?: string) =>
    d.emit({
      type: 'model.end',
      turnId: d.turnId,
      request,
      ok,
      durationMs: performance.now() - started,
      ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
      ...(usage ? { usage } : {}),
      ...(error ? { error } : {}),
    })

  try {
    const stream = d.model.stream({
      messages: prepared.messages,
      tools: d.toolSchemas,
      temperature: d.config.temperature,
      ...(d.config.seed !== undefined ? { seed: d.config.seed } : {}),
      ...(d.config.topP !== undefined ? { topP: d.config.topP } : {}),
      maxTokens: prepared.maxTokens,
      signal: d.signal,
      textTools: d.toolFormat === 'text',
    })
    for await (const chunk of stream) {
      switch (chunk.type) {
        case 'text': {
          markFirstToken()
          rawText += chunk.text
          const shown = hold ? hold.push(chunk.text) : chunk.text
          if (shown) say(shown)
          break
        }
        case 'reasoning':
          markFirstToken()
          reasoning += chunk.text
          d.emit({ type: 'thought.delta', turnId: d.turnId, messageId, text: chunk.text })
          break
        case 'tool_call':
          markFirstToken()
          rawCalls.push(chunk.call)
          outcome.toolCalls.push(chunk.call)
          break
        case 'usage':
          usage = chunk.usage
          break
        case 'finish':
          outcome.finish = chunk.reason
          break
      }
    }
  } catch (error) {
    if (d.signal.aborted) {
      end(false, 'cancelled')
      return { ...outcome, aborted: true }
    }
    end(false, error instanceof Error ? error.message : String(error))
    throw error
  }
  if (d.signal.aborted) {
    end(false, 'cancelled')
    return { ...outcome, aborted: true }
  }
  d.emit({
    type: 'model.response',
    turnId: d.turnId,
    request,
    text: rawText,
    ...(reasoning ? { reasoning } : {}),
    ...(rawCalls.length ? { toolCalls: rawCalls } : {}),
    finish: outcome.finish,
    ...(usage ? { usage } : {}),
  })
  end(true)
  if (usage) {
    d.context.observeUsage(usage.promptTokens)
    d.emit({ type: 'usage', turnId: d.turnId, usage, contextWindow: prepared.facts.window })
  }
  const held = hold?.end()
  if (held) {
    const parsed =
      outcome.toolCalls.length === 0
        ? parseTextToolCalls(held, {
            // Every tool the registry holds, not only those offered: a listed tool called by name still runs.
            tools: new Map(d.registry.modelSchemas().map((s) => [s.name, s.parameters])),
            ...(d.textCodeTool ? { codeTool: d.textCodeTool } : {}),
          })
        : { calls: [], text: held }
    if (parsed.text) say(parsed.text)
    outcome.toolCalls = parsed.calls.map((call) => ({ id: d.newId('call'), ...call }))
  }
  if (outcome.finish === 'length') outcome.toolCalls = []
  return outcome
}

function say(d: TurnDeps, text: string) {
  d.emit({ type: 'message.delta', turnId: d.turnId, messageId: d.newId('msg'), text })
}
