// `punie connect`: a stdio ⇄ WebSocket bridge an IDE launches instead of `punie`, to reach the long-running
// server. It forwards frames both ways untouched, reconnects with backoff and jitter, and after a reconnect
// initializes again and resumes the IDE's sessions (with their resume tokens) before passing on anything queued.
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import WebSocket from 'ws'
import type { Logger } from '../log/logger.js'
import type { ResumeTokenBook } from './resume-tokens.js'

export interface BridgeTarget {
  /** ws(s)://host:port/acp */
  url: string
  token: string
}

export interface BridgeOptions {
  /** Where the server is now; asked again before every connection attempt (a restart may change the port). */
  locate(): BridgeTarget | undefined
  input: Readable
  output: Writable
  logger: Logger
  tokens: ResumeTokenBook
  backoff?: { initialMs: number; maxMs: number }
  /** How long an IDE request may wait for a connection before it is answered with an error. */
  queueTimeoutMs?: number
}

type Message = {
  jsonrpc?: string
  id?: string | number | null
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: unknown
}

interface Pending {
  method: string
  sessionId?: string
  cwd?: string
}

const INTERNAL = 'punie-bridge-'
const LOST = -32603

export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20))
  return Math.round(ceiling * (0.5 + random() * 0.5))
}

export class Bridge {
  private socket: WebSocket | undefined
  private ready = false
  private stopped = false
  private connectedOnce = false
  private initializeParams: Record<string, unknown> | undefined
  /** Sessions the IDE has open through this bridge, with their cwd (session/resume needs it). */
  private readonly sessions = new Map<string, string>()
  private readonly pending = new Map<string, Pending>()
  private readonly queue: { text: string; message: Message; at: number }[] = []
  private readonly internal = new Map<string, (reply: Message) => void>()
  private nextInternal = 1
  private wakeUp: (() => void) | undefined

  constructor(private readonly options: BridgeOptions) {}

  /** Runs until the IDE closes stdin. */
  async run(): Promise<void> {
    const lines = createInterface({ input: this.options.input, crlfDelay: Number.POSITIVE_INFINITY })
    lines.on('line', (line) => this.fromIde(line))
    const ideGone = new Promise<void>((resolve) => lines.once('close', resolve))
    const connecting = this.connectLoop()
    await ideGone
    this.stopped = true
    this.wakeUp?.()
    this.socket?.close(1000, 'IDE disconnected')
    await connecting
  }

  private fromIde(line: string): void {
    if (!line.trim()) return
    let message: Message
    try {
      message = JSON.parse(line) as Message
    } catch {
      this.toIde({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
      return
    }
    if (message.method && message.id !== undefined && message.id !== null) {
      const params = message.params ?? {}
      const sessionId = typeof params.sessionId === 'string' ? params.sessionId : undefined
      const cwd = typeof params.cwd === 'string' ? params.cwd : undefined
      if (message.method === 'initialize') this.initializeParams = params
      if ((message.method === 'session/load' || message.method === 'session/resume') && sessionId) {
        message.params = withResumeToken(params, this.options.tokens.get(sessionId))
      }
      // The IDE's history: the server lists the sessions this bridge holds tokens for.
      if (message.method === 'session/list')
        message.params = withPunieMeta(params, { resumeTokens: this.options.tokens.all() })
      this.pending.set(String(message.id), {
        method: message.method,
        ...(sessionId ? { sessionId } : {}),
        ...(cwd ? { cwd } : {}),
      })
    }
    const text = JSON.stringify(message)
    if (this.ready && this.socket) this.socket.send(text)
    else this.queue.push({ text, message, at: Date.now() })
  }

  private fromServer(text: string): void {
    let message: Message
    try {
      message = JSON.parse(text) as Message
    } catch {
      this.options.logger.warn('the server sent a frame that is not JSON; dropped')
      return
    }
    const isResponse = message.method === undefined && message.id !== undefined && message.id !== null
    if (isResponse && String(message.id).startsWith(INTERNAL)) {
      this.internal.get(String(message.id))?.(message)
      this.internal.delete(String(message.id))
      return
    }
    if (isResponse) this.track(String(message.id), message)
    this.toIde(message)
  }

  /** Learns which sessions the IDE has open from the answers to its requests. */
  private track(id: string, response: Message): void {
    const request = this.pending.get(id)
    this.pending.delete(id)
    if (!request || response.error !== undefined) return
    const result = response.result ?? {}
    if (request.method === 'session/new' && typeof result.sessionId === 'string') {
      this.sessions.set(result.sessionId, request.cwd ?? '')
      const token = (result._meta as { punie?: { resumeToken?: unknown } } | undefined)?.punie?.resumeToken
      if (typeof token === 'string') this.options.tokens.set(result.sessionId, token)
    } else if (
      (request.method === 'session/load' || request.method === 'session/resume') &&
      request.sessionId
    ) {
      this.sessions.set(request.sessionId, request.cwd ?? '')
    } else if (request.method === 'session/close' && request.sessionId) {
      this.sessions.delete(request.sessionId)
    }
  }

  private toIde(message: Message): void {
    this.options.output.write(`${JSON.stringify(message)}\n`)
  }

  private async connectLoop(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 10_000 }
    let attempt = 0
    while (!this.stopped) {
      const target = this.options.locate()
      const socket = target ? await this.open(target) : undefined
      if (!socket) {
        this.expireQueued(target)
        await this.sleep(backoffDelay(attempt++, initialMs, maxMs))
        continue
      }
      attempt = 0
      this.socket = socket
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.on('message', (data) => this.fromServer(String(data)))
      if (this.connectedOnce) await this.restore()
      this.connectedOnce = true
      this.ready = true
      this.options.logger.info('bridge connected to %s', target?.url)
      for (const queued of this.queue.splice(0)) socket.send(queued.text)
      await closed
      this.ready = false
      this.socket = undefined
      this.failPending()
      if (!this.stopped) this.options.logger.warn('lost the server connection; reconnecting')
    }
  }

  private open(target: BridgeTarget): Promise<WebSocket | undefined> {
    return new Promise((resolve) => {
      const socket = new WebSocket(target.url, { headers: { Authorization: `Bearer ${target.token}` } })
      socket.once('open', () => resolve(socket))
      socket.once('unexpected-response', (_request, response) => {
        this.options.logger.warn('server refused the bridge: HTTP %d', response.statusCode)
        socket.terminate()
        resolve(undefined)
      })
      socket.once('error', (error) => {
        this.options.logger.debug('connecting to %s failed: %s', target.url, error.message)
        resolve(undefined)
      })
    })
  }

  /** After a reconnect: initialize as the IDE did, then resume each of its sessions on the new connection. */
  private async restore(): Promise<void> {
    if (!this.initializeParams) return
    await this.call('initialize', this.initializeParams)
    for (const [sessionId, cwd] of this.sessions) {
      const reply = await this.call(
        'session/resume',
        withResumeToken({ sessionId, cwd }, this.options.tokens.get(sessionId)),
      )
      if (reply.error) {
        this.options.logger.warn('could not resume session %s: %s', sessionId, JSON.stringify(reply.error))
        this.sessions.delete(sessionId)
      } else {
        this.options.logger.info('resumed session %s', sessionId)
      }
    }
  }

  private call(method: string, params: Record<string, unknown>): Promise<Message> {
    const id = `${INTERNAL}${this.nextInternal++}`
    return new Promise((resolve) => {
      this.internal.set(id, resolve)
      this.socket?.once('close', () => resolve({ error: 'connection closed' }))
      this.socket?.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  /** The IDE's requests in flight when the connection dropped will not be answered by the server. */
  private failPending(): void {
    for (const [id, request] of this.pending) {
      if (request.method === 'initialize' && this.connectedOnce) continue
      this.toIde({
        jsonrpc: '2.0',
        id: /^\d+$/.test(id) ? Number(id) : id,
        error: {
          code: LOST,
          message: 'the connection to the Punie server was lost; the bridge is reconnecting',
        },
      })
    }
    this.pending.clear()
  }

  private expireQueued(target: BridgeTarget | undefined): void {
    const limit = Date.now() - (this.options.queueTimeoutMs ?? 30_000)
    while (this.queue.length && (this.queue[0]?.at ?? 0) < limit) {
      const { message } = this.queue.shift() as { message: Message }
      if (message.id === undefined || message.id === null || !message.method) continue
      this.pending.delete(String(message.id))
      this.toIde({
        jsonrpc: '2.0',
        id: message.id,
        error: {
          code: LOST,
          message: target
            ? `no Punie server answers at ${target.url}; is it running?`
            : 'no Punie server is running: start one with `punie serve`',
        },
      })
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

function withResumeToken(
  params: Record<string, unknown>,
  token: string | undefined,
): Record<string, unknown> {
  return token ? withPunieMeta(params, { resumeToken: token }) : params
}

function withPunieMeta(
  params: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const meta = (params._meta as Record<string, unknown> | undefined) ?? {}
  const punie = (meta.punie as Record<string, unknown> | undefined) ?? {}
  return { ...params, _meta: { ...meta, punie: { ...punie, ...fields } } }
}
