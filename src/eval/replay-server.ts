// An OpenAI-compatible chat server on 127.0.0.1 that answers from a cassette: each request goes to `answer`,
// which returns the recorded response (streamed as SSE or sent whole, as the client asked), the recorded failure,
// or why the replay stopped (sent as an HTTP error, which ends the agent's turn).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ModelResponse } from './cassette.js'

export type ReplayAnswer =
  | { kind: 'reply'; response: ModelResponse }
  /** The recorded request failed: fail it again, as the model server did. */
  | { kind: 'fail'; reason: string }
  | { kind: 'stop'; reason: string }

export interface WireRequest {
  model?: string
  stream?: boolean
  messages?: unknown[]
  tools?: unknown[]
  [key: string]: unknown
}

export interface ReplayServer {
  /** A model spec that points Punie at this server. */
  spec: string
  close(): Promise<void>
}

export const REPLAY_MODEL = 'cassette'
/** A request body larger than this is refused: a replayed session's requests are far smaller. */
const MAX_BODY_BYTES = 64 * 1024 * 1024
/** Characters per streamed content delta, so that the client's stream assembly is exercised as live. */
const CHUNK = 64

export async function startReplayServer(options: {
  answer(request: WireRequest): ReplayAnswer
  contextWindow?: number
}): Promise<ReplayServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/'
    if (req.method === 'GET' && path.endsWith('/models')) {
      const extra = options.contextWindow ? { max_model_len: options.contextWindow } : {}
      return sendJson(res, 200, { object: 'list', data: [{ id: REPLAY_MODEL, object: 'model', ...extra }] })
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions'))
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } })
    let body: WireRequest
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as WireRequest
    } catch (error) {
      return sendJson(res, 400, { error: { message: `unreadable request: ${(error as Error).message}` } })
    }
    const answer = options.answer(body)
    if (answer.kind === 'stop') return sendJson(res, 409, { error: { message: answer.reason } })
    if (answer.kind === 'fail') return sendJson(res, 500, { error: { message: answer.reason } })
    if (!body.stream) return sendJson(res, 200, completion(answer.response))
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    for (const chunk of streamChunks(answer.response))
      await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => resolve()))
    res.end('data: [DONE]\n\n')
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    spec: `http://127.0.0.1:${port}/v1/${REPLAY_MODEL}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function wireCalls(response: ModelResponse) {
  return (response.toolCalls ?? []).map((c, index) => ({
    index,
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }))
}

function wireUsage(response: ModelResponse) {
  const u = response.usage
  return u
    ? { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.totalTokens }
    : undefined
}

function completion(response: ModelResponse) {
  const calls = wireCalls(response)
  const usage = wireUsage(response)
  return {
    id: 'chatcmpl-replay',
    object: 'chat.completion',
    created: 0,
    model: REPLAY_MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: response.text || null,
          ...(response.reasoning ? { reasoning_content: response.reasoning } : {}),
          ...(calls.length ? { tool_calls: calls.map(({ index: _i, ...c }) => c) } : {}),
        },
        finish_reason: response.finish,
      },
    ],
    ...(usage ? { usage } : {}),
  }
}

function* streamChunks(response: ModelResponse) {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-replay',
    object: 'chat.completion.chunk',
    created: 0,
    model: REPLAY_MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  yield chunk({ role: 'assistant', content: '' })
  for (const piece of pieces(response.reasoning ?? '')) yield chunk({ reasoning_content: piece })
  for (const piece of pieces(response.text)) yield chunk({ content: piece })
  for (const call of wireCalls(response)) yield chunk({ tool_calls: [call] })
  yield chunk({}, response.finish)
  const usage = wireUsage(response)
  if (usage)
    yield {
      id: 'chatcmpl-replay',
      object: 'chat.completion.chunk',
      created: 0,
      model: REPLAY_MODEL,
      choices: [],
      usage,
    }
}

function pieces(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK))
  return out
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (part: Buffer) => {
      size += part.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`))
        req.destroy()
        return
      }
      parts.push(part)
    })
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}
