// ChatModel over any OpenAI-compatible chat-completions endpoint, using the official `openai` client.
import type { Logger } from '../log/logger.js'
import { connectionFailed, ModelError, unreachable } from './errors.js'
import { type StreamTimeouts, StreamWatch, watched } from './stream-watch.js'
import { ThinkSplitter } from './think-splitter.js'
import type { ChatModel, ChatRequest, ModelChunk, ResolvedModel } from './types.js'
import {
  readFinishReason,
  readReasoning,
  readUsage,
  ToolCallAssembler,
  toWireMessages,
  toWireTools,
} from './wire.js'

export interface OpenAICompatibleOptions extends StreamTimeouts {
  stream: boolean
  logger: Logger
}

type OpenAIModule = typeof import('openai')

let openaiModule: Promise<OpenAIModule> | undefined
/** The client library is large; it loads on the first model request, not at start-up. */
const loadOpenAI = () => {
  openaiModule ??= import('openai')
  return openaiModule
}

/**
 * Loads the client library and Node's fetch before the first request needs them (both load lazily, together
 * some 50–80 ms of a first turn).
 */
export async function preloadModelClient(): Promise<void> {
  await loadOpenAI()
  // An already-aborted fetch loads and runs fetch's own code without touching the network.
  await fetch('http://127.0.0.1/', { signal: AbortSignal.abort() }).catch(() => undefined)
}

export function createOpenAICompatibleModel(
  info: ResolvedModel,
  options: OpenAICompatibleOptions,
): ChatModel {
  let client: InstanceType<OpenAIModule['OpenAI']> | undefined
  let callCounter = 0
  const newCallId = () => `call_${Date.now().toString(36)}_${callCounter++}`

  async function* stream(request: ChatRequest): AsyncIterable<ModelChunk> {
    const lib = await loadOpenAI()
    client ??= new lib.OpenAI({
      baseURL: info.baseURL,
      apiKey: info.apiKey,
      maxRetries: 0,
      timeout: options.requestTimeoutMs,
    })
    const body = {
      model: info.model,
      messages: toWireMessages(request.messages, { textTools: request.textTools ?? false }),
      temperature: request.temperature,
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.tools.length && !request.textTools ? { tools: toWireTools(request.tools) } : {}),
      ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
    }
    options.logger.debug(
      'model request to %s (%s), %d messages',
      info.baseURL,
      info.model,
      request.messages.length,
    )
    // The client's own timeout ends at the response headers; this covers the stream after them too.
    const watch = new StreamWatch(request.signal, options, info.baseURL)
    try {
      if (options.stream) {
        // biome-ignore lint/suspicious/noExplicitAny: the body carries fields (reasoning, loose message shapes) the typed params reject
        const params: any = { ...body, stream: true, stream_options: { include_usage: true } }
        const response = await client.chat.completions.create(params, { signal: watch.signal })
        yield* readStream(watched(response as unknown as AsyncIterable<unknown>, watch), newCallId)
      } else {
        // biome-ignore lint/suspicious/noExplicitAny: as above
        const params: any = body
        const completion: unknown = await client.chat.completions.create(params, { signal: watch.signal })
        yield* readCompletion(completion, newCallId)
      }
    } catch (error) {
      throw watch.error() ?? toModelError(error, lib, info, request.signal)
    } finally {
      watch.close()
    }
  }

  return { info, stream }
}

async function* readStream(chunks: AsyncIterable<unknown>, newId: () => string): AsyncIterable<ModelChunk> {
  const splitter = new ThinkSplitter()
  const assembler = new ToolCallAssembler()
  let finish: ModelChunk | undefined
  let deltas = 0
  for await (const raw of chunks) {
    if (!raw || typeof raw !== 'object') throw new ModelError('protocol', 'stream chunk is not a JSON object')
    const chunk = raw as Record<string, unknown>
    if (chunk.error) throw new ModelError('http', `model server error: ${describeServerError(chunk.error)}`)
    const usage = readUsage(chunk.usage)
    if (usage) yield { type: 'usage', usage }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : []
    for (const choice of choices as Record<string, unknown>[]) {
      const delta = (choice?.delta ?? {}) as Record<string, unknown>
      const reasoning = readReasoning(delta)
      if (reasoning) yield { type: 'reasoning', text: reasoning }
      if (typeof delta.content === 'string' && delta.content) {
        for (const part of splitter.push(delta.content)) yield partChunk(part)
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const call of delta.tool_calls) assembler.add(call, deltas++)
      }
      const reason = readFinishReason(choice?.finish_reason)
      if (reason) finish = { type: 'finish', reason }
    }
  }
  for (const part of splitter.end()) yield partChunk(part)
  for (const call of assembler.finish(newId)) yield { type: 'tool_call', call }
  yield finish ?? { type: 'finish', reason: 'stop' }
}

async function* readCompletion(completion: unknown, newId: () => string): AsyncIterable<ModelChunk> {
  if (!completion || typeof completion !== 'object') {
    throw new ModelError('protocol', 'the response is not a chat completion (expected a JSON object)')
  }
  const body = completion as Record<string, unknown>
  const choice = Array.isArray(body.choices)
    ? (body.choices[0] as Record<string, unknown> | undefined)
    : undefined
  if (!choice)
    throw new ModelError('protocol', 'the response has no "choices": is this an OpenAI-compatible server?')
  const message = (choice.message ?? {}) as Record<string, unknown>
  const reasoning = readReasoning(message)
  if (reasoning) yield { type: 'reasoning', text: reasoning }
  if (typeof message.content === 'string') {
    const splitter = new ThinkSplitter()
    for (const part of [...splitter.push(message.content), ...splitter.end()]) yield partChunk(part)
  }
  const assembler = new ToolCallAssembler()
  if (Array.isArray(message.tool_calls)) {
    for (const [i, call] of message.tool_calls.entries()) assembler.add(call, i)
  }
  for (const call of assembler.finish(newId)) yield { type: 'tool_call', call }
  const usage = readUsage(body.usage)
  if (usage) yield { type: 'usage', usage }
  yield { type: 'finish', reason: readFinishReason(choice.finish_reason) ?? 'stop' }
}

function partChunk(part: { kind: 'text' | 'reasoning'; text: string }): ModelChunk {
  return { type: part.kind, text: part.text }
}

function toModelError(error: unknown, lib: OpenAIModule, info: ResolvedModel, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error
  if (error instanceof ModelError) return error
  if (error instanceof lib.APIUserAbortError) return error
  if (error instanceof lib.APIConnectionTimeoutError) return unreachable(info.baseURL, 'timed out')
  if (error instanceof lib.APIConnectionError) return connectionFailed(info.baseURL, error)
  if (error instanceof lib.AuthenticationError) {
    return new ModelError(
      'auth',
      `${info.baseURL} refused the API key (HTTP 401): check the key for this provider`,
      info.baseURL,
    )
  }
  if (error instanceof lib.NotFoundError) {
    return new ModelError(
      'no_model',
      `${info.baseURL} does not serve model "${info.model}" (HTTP 404): ${error.message}`,
      info.baseURL,
    )
  }
  if (error instanceof lib.APIError) {
    return new ModelError(
      'http',
      `The model server at ${info.baseURL} failed: ${error.message}`,
      info.baseURL,
    )
  }
  if (error instanceof SyntaxError) {
    return new ModelError(
      'protocol',
      `The model server at ${info.baseURL} sent a malformed response (${error.message})`,
      info.baseURL,
    )
  }
  return error
}

function describeServerError(error: unknown): string {
  if (typeof error === 'string') return error
  const message = (error as { message?: unknown })?.message
  return typeof message === 'string' ? message : JSON.stringify(error)
}
