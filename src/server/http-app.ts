// The HTTP side of `punie serve`: health and version, and a read-only REST view of projects, sessions,
// transcripts and live event streams. Every route but /health needs the bearer token.
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ACP_PROTOCOL_VERSION } from '../acp/initialize.js'
import type { Logger } from '../log/logger.js'
import type { AgentEvent } from '../session/events.js'
import { type SessionManager, SessionNotFoundError } from '../session/manager.js'
import type { SessionRecord } from '../session/ports.js'
import { InvalidCursorError } from '../store/sqlite-store.js'
import { originAllowed, presentedToken, sameSecret } from './auth.js'

export interface HttpAppOptions {
  version: string
  manager: SessionManager
  /** The bearer token every request but /health must present; undefined when auth is off (loopback only). */
  token: string | undefined
  /** The port the server listens on, for the Origin check. */
  port(): number
  allowedOrigins: readonly string[]
  /** Aborted at shutdown, ending open event streams. */
  shutdown: AbortSignal
  logger: Logger
}

const UNAUTHORIZED = {
  error: 'unauthorized: send "Authorization: Bearer <token>" with the token from ~/.punie/server.json',
}

export function createHttpApp(options: HttpAppOptions): Hono {
  const { manager } = options
  const app = new Hono()

  app.use('*', async (c, next) => {
    if (!originAllowed(c.req.header('origin'), options.port(), options.allowedOrigins)) {
      return c.json({ error: `origin ${c.req.header('origin')} is not allowed` }, 403)
    }
    if (c.req.path === '/health' || options.token === undefined) return next()
    const token = presentedToken(c.req.header('authorization'), new URL(c.req.url), 'http')
    if (!sameSecret(token, options.token)) {
      c.header('WWW-Authenticate', 'Bearer')
      return c.json(UNAUTHORIZED, 401)
    }
    return next()
  })

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/version', (c) =>
    c.json({ name: 'punie', version: options.version, protocolVersion: ACP_PROTOCOL_VERSION }),
  )

  app.get('/api/projects', (c) => c.json({ projects: manager.projectList() }))

  app.get('/api/sessions', (c) => {
    const { project, cwd, cursor } = c.req.query()
    const page = manager.list({
      ...(project ? { project } : {}),
      ...(cwd ? { cwd } : {}),
      ...(cursor ? { cursor } : {}),
    })
    return c.json({
      sessions: page.sessions.map((record) => sessionSummary(record, manager)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    })
  })

  app.get('/api/sessions/:id', (c) => {
    const id = c.req.param('id')
    const events = manager.transcript(id)
    const record = manager.record(id)
    return c.json({ session: record && sessionSummary(record, manager), events })
  })

  app.get('/api/sessions/:id/events', (c) => {
    const id = c.req.param('id')
    if (!manager.record(id)) throw new SessionNotFoundError(id)
    const after = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0
    return streamSSE(c, (stream) => streamEvents(stream, { id, after, manager, shutdown: options.shutdown }))
  })

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404))
  app.onError((error, c) => {
    if (error instanceof SessionNotFoundError) return c.json({ error: error.message }, 404)
    if (error instanceof InvalidCursorError) return c.json({ error: error.message }, 400)
    options.logger.error('HTTP %s %s failed: %s', c.req.method, c.req.path, error)
    return c.json({ error: 'internal error; see the server log' }, 500)
  })
  return app
}

function sessionSummary(record: SessionRecord, manager: SessionManager) {
  const live = manager.find(record.id)
  return {
    id: record.id,
    title: record.title ?? null,
    cwd: record.cwd,
    project: record.project,
    model: record.model,
    mode: record.mode,
    toolMode: record.toolMode,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    open: live !== undefined,
    running: live?.isRunning ?? false,
  }
}

interface EventStreamOptions {
  id: string
  after: number
  manager: SessionManager
  shutdown: AbortSignal
}

/** The session's stored events after `after`, then its live events, without a gap or a repeat. */
async function streamEvents(
  stream: Parameters<Parameters<typeof streamSSE>[1]>[0],
  { id, after, manager, shutdown }: EventStreamOptions,
): Promise<void> {
  let last = after
  const pending: AgentEvent[] = []
  let wake: (() => void) | undefined
  const unsubscribe = manager.observe((event) => {
    if (event.sessionId !== id) return
    pending.push(event)
    wake?.()
  })
  const ended = new Promise<void>((resolve) => {
    stream.onAbort(resolve)
    shutdown.addEventListener('abort', () => resolve(), { once: true })
  })
  const send = async (event: AgentEvent) => {
    if (event.seq <= last) return
    last = event.seq
    await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) })
  }
  // A comment first, so the client has the response (and its headers) before there is an event to send.
  await stream.write(': punie session events\n\n')
  const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => undefined), 15_000)
  try {
    for (const event of manager.transcript(id)) await send(event)
    while (!stream.aborted && !shutdown.aborted) {
      for (const event of pending.splice(0)) await send(event)
      if (pending.length) continue
      await Promise.race([ended, new Promise<void>((resolve) => (wake = resolve))])
    }
  } finally {
    clearInterval(keepAlive)
    unsubscribe()
  }
}
