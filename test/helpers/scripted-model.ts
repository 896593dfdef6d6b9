// A real HTTP server speaking the OpenAI chat-completions protocol, answering from a script.
// Streaming (SSE) and non-streaming, text, reasoning, tool calls, errors, garbage, drops and slow streams.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ScriptedToolCall {
  id?: string
  name: string
  arguments: string | Record<string, unknown>
}

export interface ReplyBody {
  text?: string
  reasoning?: string
  reasoningField?: 'reasoning_content' | 'reasoning'
  toolCalls?: ScriptedToolCall[]
  finishReason?: string
  usage?: { prompt_tokens: number; completion_tokens: number } | false
  /** Characters per streamed content delta (default 4); tool arguments stream in pieces of this size too. */
  chunkSize?: number
  /** Pause before each streamed chunk. */
  delayMs?: number
  /** Destroy the socket after this many streamed chunks. */
  dropAfterChunks?: number
  /** Send nothing more after this many streamed chunks, keeping the connection open until the client leaves. */
  stallAfterChunks?: number
}

export type StaticReply =
  | ({ kind?: 'reply' } & ReplyBody)
  | { kind: 'http-error'; status: number; body?: string }
  | { kind: 'garbage'; body: string }

export interface RecordedRequest {
  path: string
  body: {
    model?: string
    stream?: boolean
    messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[]
    tools?: { function: { name: string } }[]
    temperature?: number
    top_p?: number
    max_tokens?: number
    [key: string]: unknown
  }
  bytes: number
  /** The prompt's size by this server's tokenizer (4 bytes a token, 4 per message). */
  promptTokens: number
  /** performance.now() when the request arrived. */
  at: number
}

/** A context window the server reports (llama.cpp `/props` or vLLM `max_model_len`) and enforces. */
export interface ScriptedWindow {
  tokens: number
  via: 'props' | 'models'
  /** Answer `POST /tokenize` (default true). */
  tokenize?: boolean
}

export type ScriptedReply = StaticReply | ((request: RecordedRequest) => StaticReply)

export class ScriptedModelServer {
  readonly requests: RecordedRequest[] = []
  /** Stalled streams whose client closed the connection. */
  abandonedStalls = 0
  models = ['scripted-model']
  /** Set to report and enforce a context window, count tokens and report real prompt sizes in usage. */
  window: ScriptedWindow | undefined
  /** Set to report llama.cpp's `total_slots` in `/props` (and mark its models as llama.cpp's). */
  slots: number | undefined
  readonly tokenizeRequests: string[] = []
  private readonly queue: ScriptedReply[] = []
  private fallback: ScriptedReply = {
    kind: 'http-error',
    status: 500,
    body: '{"error":{"message":"no scripted reply left"}}',
  }

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port = 0): Promise<ScriptedModelServer> {
    let instance: ScriptedModelServer | undefined
    const server = createServer((req, res) => {
      instance?.handle(req, res).catch(() => res.destroy())
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', resolve)
    })
    instance = new ScriptedModelServer(server, (server.address() as AddressInfo).port)
    return instance
  }

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`
  }

  /** A model spec that points Punie at this server. */
  get spec(): string {
    return `${this.baseURL}/scripted-model`
  }

  enqueue(...replies: ScriptedReply[]): this {
    this.queue.push(...replies)
    return this
  }

  /** Used when the queue is empty. */
  always(reply: ScriptedReply): this {
    this.fallback = reply
    return this
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'))
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const at = performance.now()
    const raw = await readBody(req)
    const path = req.url ?? '/'
    const window = this.window
    if (req.method === 'GET' && path.endsWith('/models')) {
      // Each server kind marks its entries as the real one does (vLLM's max_model_len, llama.cpp's owned_by).
      const extra =
        window?.via === 'models'
          ? { max_model_len: window.tokens }
          : window?.via === 'props' || this.slots !== undefined
            ? { owned_by: 'llamacpp' }
            : {}
      return sendJson(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({ id, object: 'model', ...extra })),
      })
    }
    if (req.method === 'GET' && path === '/props' && (window?.via === 'props' || this.slots !== undefined)) {
      return sendJson(res, 200, {
        default_generation_settings: window?.via === 'props' ? { n_ctx: window.tokens } : {},
        total_slots: this.slots ?? 1,
      })
    }
    if (req.method === 'POST' && path === '/tokenize' && window && window.tokenize !== false) {
      const { content } = JSON.parse(raw.toString('utf8')) as { content: string }
      this.tokenizeRequests.push(content)
      return sendJson(res, 200, { tokens: Array.from({ length: tokensOf(content) }, (_, i) => i) })
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } })
    }
    let body: RecordedRequest['body']
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      return sendJson(res, 400, { error: { message: 'request body is not JSON' } })
    }
    const recorded: RecordedRequest = {
      path,
      body,
      bytes: raw.length,
      promptTokens: promptTokensOf(body),
      at,
    }
    this.requests.push(recorded)
    if (window && recorded.promptTokens + (body.max_tokens ?? 0) > window.tokens) {
      return sendJson(res, 400, {
        error: {
          message: `This model's maximum context length is ${window.tokens} tokens; the request has ${recorded.promptTokens} prompt tokens and asks for ${body.max_tokens ?? 0} more`,
        },
      })
    }
    const next = this.queue.shift() ?? this.fallback
    const scripted = typeof next === 'function' ? next(recorded) : next
    const reply =
      window && scripted.kind !== 'http-error' && scripted.kind !== 'garbage' && scripted.usage === undefined
        ? {
            ...scripted,
            usage: {
              prompt_tokens: recorded.promptTokens,
              completion_tokens: tokensOf(scripted.text ?? ''),
            },
          }
        : scripted
    if (reply.kind === 'http-error') {
      res.writeHead(reply.status, { 'content-type': 'application/json' })
      return res.end(reply.body ?? JSON.stringify({ error: { message: `scripted HTTP ${reply.status}` } }))
    }
    if (reply.kind === 'garbage') {
      res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' })
      return res.end(body.stream ? `data: ${reply.body}\n\n` : reply.body)
    }
    if (body.stream) return this.stream(res, reply, body)
    return sendJson(res, 200, completion(reply, body.model))
  }

  private async stream(res: ServerResponse, reply: ReplyBody, body: RecordedRequest['body']) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const chunks = streamChunks(
      reply,
      body.model,
      Boolean((body.stream_options as { include_usage?: boolean })?.include_usage),
    )
    let sent = 0
    let clientGone = false
    res.on('close', () => {
      clientGone = true
    })
    for (const chunk of chunks) {
      if (reply.delayMs) await sleep(reply.delayMs)
      if (clientGone) return
      if (reply.dropAfterChunks !== undefined && sent >= reply.dropAfterChunks) {
        res.socket?.destroy()
        return
      }
      if (reply.stallAfterChunks !== undefined && sent >= reply.stallAfterChunks) {
        if (!clientGone) await new Promise((resolve) => res.once('close', resolve))
        this.abandonedStalls++
        return
      }
      // Wait for each write to flush so that a drop happens after the client has what was sent.
      await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => resolve()))
      sent++
    }
    res.end('data: [DONE]\n\n')
  }
}

function completion(reply: ReplyBody, model = 'scripted-model') {
  const message: Record<string, unknown> = { role: 'assistant', content: reply.text ?? null }
  if (reply.reasoning) message[reply.reasoningField ?? 'reasoning_content'] = reply.reasoning
  if (reply.toolCalls?.length) {
    message.tool_calls = reply.toolCalls.map((c, i) => ({
      id: c.id ?? `call_${i}`,
      type: 'function',
      function: { name: c.name, arguments: argumentsOf(c) },
    }))
  }
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message, finish_reason: finishOf(reply) }],
    ...(reply.usage === false ? {} : { usage: usageOf(reply) }),
  }
}

function streamChunks(reply: ReplyBody, model = 'scripted-model', includeUsage = false) {
  const size = reply.chunkSize ?? 4
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-scripted',
    object: 'chat.completion.chunk',
    created: 0,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  const out: unknown[] = [chunk({ role: 'assistant', content: '' })]
  for (const piece of pieces(reply.reasoning ?? '', size)) {
    out.push(chunk({ [reply.reasoningField ?? 'reasoning_content']: piece }))
  }
  for (const piece of pieces(reply.text ?? '', size)) out.push(chunk({ content: piece }))
  reply.toolCalls?.forEach((call, index) => {
    out.push(
      chunk({
        tool_calls: [
          {
            index,
            id: call.id ?? `call_${index}`,
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      }),
    )
    for (const piece of pieces(argumentsOf(call), size)) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }))
    }
  })
  out.push(chunk({}, finishOf(reply)))
  if (includeUsage && reply.usage !== false) {
    out.push({
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: 0,
      model,
      choices: [],
      usage: usageOf(reply),
    })
  }
  return out
}

/** This server's tokenizer: 4 UTF-8 bytes a token. */
export function tokensOf(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4)
}

function promptTokensOf(body: RecordedRequest['body']): number {
  let n = body.tools?.length ? tokensOf(JSON.stringify(body.tools)) : 0
  for (const m of body.messages ?? []) {
    // A user message with images has an array of parts as its content (typed as text for the tests' sake).
    n += 4 + tokensOf(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))
    for (const call of (m.tool_calls ?? []) as { function?: { name?: string; arguments?: string } }[])
      n += tokensOf(`${call.function?.name ?? ''}${call.function?.arguments ?? ''}`)
  }
  return n
}

function argumentsOf(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)
}

function finishOf(reply: ReplyBody): string {
  return reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop')
}

function usageOf(reply: ReplyBody) {
  const usage = reply.usage || {
    prompt_tokens: 100,
    completion_tokens: Math.max(1, Math.ceil((reply.text ?? '').length / 4)),
  }
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }
}

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (part: Buffer) => parts.push(part))
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
