// The HTTP side of `punie serve`: health and version, and a read-only REST view of projects, sessions,
// transcripts and live event streams. Every route but /health needs the bearer token.
import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie } from 'hono/cookie'
import { streamSSE } from 'hono/streaming'
import { ACP_PROTOCOL_VERSION } from '../acp/initialize.js'
import type { ReviewPaths } from '../flywheel/review.js'
import type { Logger } from '../log/logger.js'
import type { AgentEvent } from '../session/events.js'
import { type SessionManager, SessionNotFoundError } from '../session/manager.js'
import { InvalidCursorError } from '../store/sqlite-store.js'
import { hostAllowed, originAllowed, presentedToken, sameSecret } from './auth.js'
import { signInPage } from './dashboard/pages.js'
import { mountReports } from './dashboard/report-routes.js'
import { type DashboardDeps, dashboardError, mountDashboard, streamAccess } from './dashboard/routes.js'
import { cookieName } from './dashboard/sign-in.js'
import { runLiveStream } from './live-stream.js'

export interface HttpAppOptions {
  version: string
  manager: SessionManager
  /** The bearer token every request but /health must present; undefined when auth is off (loopback only). */
  token: string | undefined
  /** The address the server is bound to, for the Host check. */
  host: string
  /** The port the server listens on, for the Origin check. */
  port(): number
  allowedOrigins: readonly string[]
  /** Where the flywheel's examples are read for review. */
  review?: ReviewPaths
  /** The dashboard: its page, sign-ins, live activity and steering. */
  dashboard: Pick<
    DashboardDeps,
    'activity' | 'signIns' | 'assets' | 'baseUrl' | 'browserSurface' | 'knownModels' | 'env'
  >
  /** Aborted at shutdown, ending open event streams. */
  shutdown: AbortSignal
  logger: Logger
}

const UNAUTHORIZED = {
  error:
    'unauthorized: send "Authorization: Bearer <token>" with the token from server.json in $PUNIE_HOME (~/.punie by default)',
}

const MAX_BODY_BYTES = 4 * 1024 * 1024

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const isJson = (type: string | undefined) => /^application\/json\s*(;|$)/i.test(type ?? '')

/** A page for a browser (the dashboard without its cookie), JSON for everyone else. */
function unauthorized(c: Context) {
  c.header('WWW-Authenticate', 'Bearer')
  if (c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) {
    c.header('Cache-Control', 'no-store')
    return c.html(signInPage('Not signed in', 'Run <code>punie dashboard</code> for a sign-in link.'), 401)
  }
  return c.json(UNAUTHORIZED, 401)
}

export function createHttpApp(options: HttpAppOptions): Hono {
  const { manager } = options
  const app = new Hono()

  app.use('*', async (c, next) => {
    if (!hostAllowed(c.req.header('host'), options.host)) {
      return c.json(
        { error: `this server answers only at a loopback address, not ${c.req.header('host')}` },
        421,
      )
    }
    const origin = c.req.header('origin')
    if (!originAllowed(origin, options.port(), options.allowedOrigins)) {
      return c.json({ error: `origin ${origin} is not allowed` }, 403)
    }
    // A browser says where a request comes from; one from another site never gets through, cookie or not.
    if (
      c.req.header('sec-fetch-site') === 'cross-site' &&
      !(origin && options.allowedOrigins.includes(origin))
    ) {
      return c.json({ error: 'cross-site requests are not allowed' }, 403)
    }
    if (c.req.path === '/health' || c.req.path === '/login') return next()
    const changes = !SAFE_METHODS.has(c.req.method)
    if (options.token !== undefined) {
      const token = presentedToken(c.req.header('authorization'), new URL(c.req.url), 'http')
      const byToken = sameSecret(token, options.token)
      if (!byToken && !options.dashboard.signIns.signedIn(getCookie(c, cookieName(options.port())))) {
        return unauthorized(c)
      }
      // The cookie goes with every request the browser makes, so a change made with it must show it came
      // from the dashboard's own page (SameSite=Strict already keeps other sites' requests from carrying it).
      if (!byToken && changes && !origin) {
        return c.json({ error: 'a browser request that changes something must carry an Origin header' }, 403)
      }
    }
    // A JSON body cannot be sent across origins without a preflight, which this server never answers.
    if (changes && c.req.path.startsWith('/api/') && !isJson(c.req.header('content-type'))) {
      return c.json({ error: 'send the request body as JSON (Content-Type: application/json)' }, 415)
    }
    return next()
  })

  // A prompt is text; nothing the dashboard sends comes near this.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `the body is over ${MAX_BODY_BYTES / 1024 / 1024} MB` }, 413),
    }),
  )

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
      sessions: page.sessions.map((record) => options.dashboard.activity.summary(record)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    })
  })

  app.get('/api/sessions/:id/events', (c) => {
    const id = c.req.param('id')
    if (!manager.record(id)) throw new SessionNotFoundError(id)
    const after = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0
    const allowed = streamAccess(c, options.dashboard.signIns, options.token, options.port())
    let last = after
    // The session's stored events after `after`, then its live events, without a gap or a repeat.
    return streamSSE(c, (stream) =>
      runLiveStream<AgentEvent>(stream, {
        comment: 'punie session events',
        shutdown: options.shutdown,
        subscribe: (push, recheck) => {
          const stops = [
            manager.observe((event) => event.sessionId === id && push(event)),
            options.dashboard.signIns.watchSignOuts(recheck),
          ]
          return () => {
            for (const stop of stops) stop()
          }
        },
        initial: () => manager.transcript(id),
        allowed,
        send: async (event) => {
          if (event.seq <= last) return
          last = event.seq
          await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) })
        },
      }),
    )
  })

  mountDashboard(app, {
    ...options.dashboard,
    version: options.version,
    manager,
    token: options.token,
    port: options.port,
    shutdown: options.shutdown,
    logger: options.logger,
  })

  mountReports(app, { manager, ...(options.review ? { review: options.review } : {}) })

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404))
  app.onError((error, c) => {
    const refused = dashboardError(error)
    if (refused) return c.json(refused.body, refused.status)
    if (error instanceof SessionNotFoundError) return c.json({ error: error.message }, 404)
    if (error instanceof InvalidCursorError) return c.json({ error: error.message }, 400)
    options.logger.error('HTTP %s %s failed: %s', c.req.method, c.req.path, error)
    return c.json({ error: 'internal error; see the server log' }, 500)
  })
  return app
}
