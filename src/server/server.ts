// `punie serve`: one long-running Punie for many clients and projects. HTTP (REST, event streams) and ACP over
// WebSocket share one session core; server.json tells local clients where it is and which token to present.
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { getRequestListener } from '@hono/node-server'
import type { ClosableCore } from '../core/core.js'
import type { ReviewPaths } from '../flywheel/review.js'
import type { Logger } from '../log/logger.js'
import { packageRoot } from '../package-root.js'
import { AcpSocketServer, DEFAULT_SOCKET_LIMITS, type SocketLimits } from './acp-socket.js'
import { isLoopback } from './auth.js'
import { ActivityTracker } from './dashboard/activity.js'
import { DashboardAssets } from './dashboard/assets.js'
import { SignIns } from './dashboard/sign-in.js'
import { createHttpApp } from './http-app.js'
import { httpUrl, readServerFile, runningServer, serverToken, writeServerFile } from './server-file.js'

export interface ServerOptions {
  host: string
  port: number
  version: string
  core: ClosableCore
  /** Path of server.json. */
  serverFile: string
  /** False only for loopback development; a non-loopback address always needs the token. */
  auth: boolean
  allowedOrigins: readonly string[]
  limits?: Partial<SocketLimits>
  /** What model specs are read against; the process's own by default. */
  env?: Readonly<Record<string, string | undefined>>
  /** Where the dashboard's review page reads the flywheel's examples. */
  review?: ReviewPaths
  /** The dashboard's build (default dist/dashboard in the package). */
  dashboardDir?: string
  logger: Logger
}

export interface RunningPunieServer {
  url: string
  port: number
  token: string | undefined
  /** A one-time link that signs a browser in to the dashboard (valid for a minute). */
  signInLink(): string
  /** Ends running turns as cancelled, closes every connection, and stores everything. */
  close(): Promise<void>
}

export class ServerStartError extends Error {
  override name = 'ServerStartError'
}

export async function startServer(options: ServerOptions): Promise<RunningPunieServer> {
  const { logger } = options
  if (!options.auth && !isLoopback(options.host)) {
    throw new ServerStartError(
      `refusing to serve ${options.host} without a token: drop --no-auth, or bind to 127.0.0.1`,
    )
  }
  const other = runningServer(options.serverFile)
  if (other && other.pid !== process.pid) {
    throw new ServerStartError(`a Punie server is already running at ${other.url} (pid ${other.pid})`)
  }
  const token = options.auth ? serverToken(options.serverFile) : undefined
  const limits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits }
  const shutdown = new AbortController()
  let port = options.port
  const activity = new ActivityTracker(options.core.manager, logger)
  const signIns = new SignIns()
  const baseUrl = () => httpUrl(options.host, port)
  const app = createHttpApp({
    version: options.version,
    host: options.host,
    manager: options.core.manager,
    token,
    port: () => port,
    allowedOrigins: options.allowedOrigins,
    shutdown: shutdown.signal,
    logger,
    ...(options.review ? { review: options.review } : {}),
    dashboard: {
      activity,
      signIns,
      assets: DashboardAssets.load(options.dashboardDir ?? join(packageRoot(), 'dist', 'dashboard')),
      baseUrl,
      browserSurface: (record) => options.core.browserSurface(record),
      knownModels: options.core.knownModels,
      env: options.env ?? process.env,
    },
  })
  const sockets = new AcpSocketServer({
    version: options.version,
    host: options.host,
    core: options.core,
    resumeTokens: options.core.resumeTokens,
    token,
    port: () => port,
    allowedOrigins: options.allowedOrigins,
    logger,
    limits,
  })
  const http = createServer({ maxHeaderSize: 16 * 1024 }, getRequestListener(app.fetch))
  http.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head))
  // A request too large to parse (headers or URL over the limit) is told why before the socket closes.
  http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.writableEnded) {
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
      socket.end(
        tooLarge
          ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'
          : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      )
    }
    socket.destroy()
  })
  port = await listen(http, options.host, options.port)

  const url = baseUrl()
  writeServerFile(options.serverFile, {
    token: token ?? serverToken(options.serverFile),
    host: options.host,
    port,
    pid: process.pid,
  })
  logger.info('serving on %s (ACP at %s/acp)', url, url.replace(/^http/, 'ws'))

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      logger.info('shutting down: ending running turns')
      http.close()
      // Closing the sessions ends running turns with `cancelled` and leaves everything in the store; the
      // prompt answers go out on the sockets, which close after a moment for those frames to leave.
      await options.core.manager.closeAll()
      await new Promise((resolve) => setTimeout(resolve, 50))
      shutdown.abort()
      await sockets.close()
      activity.close()
      http.closeAllConnections()
      const file = readServerFile(options.serverFile)
      if (file?.pid === process.pid) writeServerFile(options.serverFile, { token: file.token })
      logger.info('server stopped')
    })()
    return closing
  }
  const signInLink = () => {
    if (!token) return `${url}/`
    return `${url}/login?code=${signIns.issue().code}`
  }
  return { url, port, token, signInLink, close }
}

function listen(http: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use: pick another with --port`
          : error.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine`
            : error.message
      reject(new ServerStartError(reason))
    })
    http.listen(port, host, () => {
      const address = http.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
