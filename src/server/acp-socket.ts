// /acp: ACP over WebSocket, one agent connection per socket, all sharing the server's one session core. The
// transport is the official SDK's server side; this module adds who may connect and when a socket is dropped.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { AcpServer } from '@agentclientprotocol/sdk/experimental/server'
import { type WebSocket, WebSocketServer } from 'ws'
import { createAcpAgent } from '../acp/agent.js'
import type { AgentCore } from '../core/core.js'
import type { Logger } from '../log/logger.js'
import type { ResumeTokenStore } from '../store/sqlite-store.js'
import { ConnectionAccess } from './access.js'
import { hostAllowed, originAllowed, presentedToken, sameSecret } from './auth.js'

export interface AcpSocketOptions {
  version: string
  core: AgentCore
  resumeTokens: ResumeTokenStore
  token: string | undefined
  /** The address the server is bound to, for the Host check. */
  host: string
  port(): number
  allowedOrigins: readonly string[]
  logger: Logger
  limits: SocketLimits
}

export interface SocketLimits {
  /** The largest WebSocket message accepted; larger ones close the socket with 1009. */
  maxMessageBytes: number
  maxConnections: number
  /** A socket that sent nothing for this long, with no turn running, is closed. */
  idleTimeoutMs: number
  /** How often peers are pinged; one that misses a pong is dropped. */
  heartbeatMs: number
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxMessageBytes: 8 * 1024 * 1024,
  maxConnections: 64,
  idleTimeoutMs: 60 * 60 * 1000,
  heartbeatMs: 30_000,
}

interface Peer {
  socket: WebSocket
  access: ConnectionAccess
  lastMessageAt: number
  alive: boolean
}

export class AcpSocketServer {
  private readonly sockets: WebSocketServer
  private readonly acp: AcpServer
  private readonly peers = new Set<Peer>()
  private readonly sweeper: NodeJS.Timeout

  constructor(private readonly options: AcpSocketOptions) {
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxMessageBytes })
    this.acp = new AcpServer({
      createAgent: () => this.agentFor(new ConnectionAccess(options.resumeTokens)),
      // Above the message cap, as the SDK asks, so a large message closes with 1009 rather than a limit error.
      maxBufferedBytes: options.limits.maxMessageBytes * 4,
    })
    this.sweeper = setInterval(() => this.sweep(), options.limits.heartbeatMs)
    this.sweeper.unref()
  }

  get connections(): number {
    return this.peers.size
  }

  /** Handles an HTTP upgrade to /acp: checks origin and token, then hands the socket to the ACP transport. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refused = this.refusal(request)
    if (refused) {
      refuseUpgrade(socket, refused.status, refused.message)
      return
    }
    const access = new ConnectionAccess(this.options.resumeTokens)
    const prepared = this.acp.prepareWebSocketUpgrade({ createAgent: () => this.agentFor(access) })
    socket.once('error', () => prepared.reject())
    this.sockets.handleUpgrade(request, socket, head, (ws) => {
      const peer: Peer = { socket: ws, access, lastMessageAt: Date.now(), alive: true }
      this.peers.add(peer)
      ws.on('message', () => {
        peer.lastMessageAt = Date.now()
      })
      ws.on('pong', () => {
        peer.alive = true
      })
      ws.on('close', () => this.peers.delete(peer))
      prepared.accept(ws)
      this.options.logger.info('ACP client connected over WebSocket (%d open)', this.peers.size)
    })
  }

  private refusal(request: IncomingMessage): { status: number; message: string } | undefined {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname !== '/acp') {
      return { status: 404, message: `no WebSocket endpoint at ${url.pathname}; use /acp` }
    }
    if (!hostAllowed(request.headers.host, this.options.host)) {
      return {
        status: 421,
        message: `this server answers only at a loopback address, not ${request.headers.host}`,
      }
    }
    if (!originAllowed(request.headers.origin, this.options.port(), this.options.allowedOrigins)) {
      return { status: 403, message: `origin ${request.headers.origin} is not allowed` }
    }
    const token = presentedToken(request.headers.authorization, url, 'websocket')
    if (this.options.token !== undefined && !sameSecret(token, this.options.token)) {
      return {
        status: 401,
        message:
          'unauthorized: send "Authorization: Bearer <token>" with the token from server.json in $PUNIE_HOME (~/.punie by default)',
      }
    }
    if (this.peers.size >= this.options.limits.maxConnections) {
      return {
        status: 503,
        message: `too many connections (${this.options.limits.maxConnections}); try again later`,
      }
    }
    return undefined
  }

  /** Closes every socket (1001) after the sessions have been closed, so the last answers went out. */
  async close(): Promise<void> {
    clearInterval(this.sweeper)
    await this.acp.close()
    for (const peer of this.peers) peer.socket.terminate()
    this.sockets.close()
  }

  private agentFor(access: ConnectionAccess) {
    return createAcpAgent({
      version: this.options.version,
      core: async () => this.options.core,
      logger: this.options.logger,
      promptImages: this.options.core.promptImages ?? false,
      access,
    })
  }

  private sweep(): void {
    const now = Date.now()
    for (const peer of this.peers) {
      if (!peer.alive) {
        this.options.logger.info('dropping an ACP client that stopped answering pings')
        peer.socket.terminate()
        continue
      }
      const running = [...peer.access.owned].some((id) => this.options.core.manager.find(id)?.isRunning)
      if (!running && now - peer.lastMessageAt > this.options.limits.idleTimeoutMs) {
        peer.socket.close(1001, 'idle timeout')
        continue
      }
      peer.alive = false
      peer.socket.ping()
    }
  }
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message })
  const reason = {
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    421: 'Misdirected Request',
    503: 'Service Unavailable',
  }
  socket.end(
    `HTTP/1.1 ${status} ${reason[status as keyof typeof reason] ?? 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}Connection: close\r\n\r\n${body}`,
  )
}
