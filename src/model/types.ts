// The model-facing conversation and the chunks a model stream yields, independent of any provider SDK.
export interface ToolCallRequest {
  id: string
  name: string
  /** Raw JSON text as the model produced it; it may be invalid. */
  arguments: string
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: ImagePart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string }

/** An image in a user message, sent as an OpenAI-style `image_url` part with a data URL. */
export interface ImagePart {
  mimeType: string
  /** Base64, as the client sent it. */
  data: string
}

export interface ToolSchema {
  name: string
  description: string
  parameters: Record<string, unknown>
}

export interface ChatRequest {
  messages: ChatMessage[]
  tools: ToolSchema[]
  temperature: number
  seed?: number
  /** Nucleus sampling: the share of probability mass sampled from; unset, the server's default. */
  topP?: number
  maxTokens?: number
  signal: AbortSignal
  /** The server has no native tool calling: tools are described in the prompt and calls travel as text. */
  textTools?: boolean
}

export interface Usage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other'

export type ModelChunk =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; call: ToolCallRequest }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }

/** Where a model lives once a spec has been resolved against the running servers. */
export interface ResolvedModel {
  baseURL: string
  model: string
  apiKey: string
  contextWindow?: number
}

/** What the server said about its context window, and which endpoint said it; empty when none did. */
export interface ModelWindow {
  contextWindow?: number
  source?: string
  /** Requests the server serves at once, where it says (llama.cpp `/props` `total_slots`). */
  slots?: number
}

/** Context facts a server can tell: probed once per model, never required (each answer may be undefined). */
export interface ModelContext {
  window(): Promise<ModelWindow>
  /** Tokens of `text` by the server's own tokenizer, where it has an endpoint for it. */
  countTokens(text: string, signal?: AbortSignal): Promise<number | undefined>
}

export interface ChatModel {
  readonly info: ResolvedModel
  stream(request: ChatRequest): AsyncIterable<ModelChunk>
  context?: ModelContext
}

export interface ModelSource {
  get(spec: string): Promise<ChatModel>
  /** Forget a cached resolution, e.g. after its server stopped answering. */
  invalidate(spec: string): void
}
