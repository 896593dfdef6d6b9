// The dashboard's routes: its page and sign-in, the overview and its live stream, and steering a session
// (prompt, cancel, answer a permission request, switch mode or model). Sessions are the one session core's.
import { realpathSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import type { Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Logger } from '../../log/logger.js'
import { modelChoices } from '../../model/choose.js'
import { ModelSpecError, parseModelSpec } from '../../model/spec.js'
import { type SessionManager, SessionNotFoundError } from '../../session/manager.js'
import type { SessionRecord, SessionSurface } from '../../session/ports.js'
import { InvalidModeError, type Session, SessionBusyError } from '../../session/session.js'
import { PERMISSION_MODES } from '../../tools/permission.js'
import { presentedToken, sameSecret } from '../auth.js'
import { runLiveStream } from '../live-stream.js'
import type { ActivityTracker } from './activity.js'
import type {
  ApiError,
  ModeChange,
  ModelChange,
  NewSessionRequest,
  Overview,
  PermissionAnswer,
  PromptRequest,
  SessionDetail,
  SessionSummary,
} from './api.js'
import type { DashboardAssets } from './assets.js'
import { signInPage } from './pages.js'
import { COOKIE_TTL_MS, cookieName, type SignIns } from './sign-in.js'

export interface DashboardDeps {
  version: string
  manager: SessionManager
  activity: ActivityTracker
  signIns: SignIns
  assets: DashboardAssets
  /** The server token, for the routes only a program holding it may use; undefined when auth is off. */
  token: string | undefined
  port(): number
  /** Where the server is reached: the base of the links it hands out. */
  baseUrl(): string
  /** The surface of a session the browser starts or reopens. */
  browserSurface(record: SessionRecord): SessionSurface
  /** Model specs offered besides the session's own. */
  knownModels: readonly string[]
  shutdown: AbortSignal
  /** The environment model specs are read against (`${VAR}` and provider keys). */
  env: Readonly<Record<string, string | undefined>>
  logger: Logger
}

/** The page may talk only to this server; nothing of it may be framed, and no Referer leaves it. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
}

const OVERVIEW_LIMIT = 200

const newSessionBody = z.object({
  cwd: z.string().min(1),
  model: z.string().min(1).optional(),
  mode: z.enum(PERMISSION_MODES).optional(),
  prompt: z.string().optional(),
}) satisfies z.ZodType<NewSessionRequest>
const promptBody = z.object({ text: z.string().min(1) }) satisfies z.ZodType<PromptRequest>
const permissionBody = z.object({
  outcome: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']),
}) satisfies z.ZodType<PermissionAnswer>
const modeBody = z.object({ mode: z.enum(PERMISSION_MODES) }) satisfies z.ZodType<ModeChange>
const modelBody = z.object({ model: z.string().min(1) }) satisfies z.ZodType<ModelChange>

class BadRequest extends Error {
  override name = 'BadRequest'
  constructor(
    message: string,
    readonly status: 400 | 409 = 400,
  ) {
    super(message)
  }
}

export function mountDashboard(app: Hono, deps: DashboardDeps): void {
  const { manager, activity } = deps
  const summary = (id: string): SessionSummary => {
    const record = manager.record(id)
    if (!record) throw new SessionNotFoundError(id)
    return activity.summary(record)
  }
  /** The session, opened for the browser when no client has it open. */
  const live = (id: string): Session => {
    const open = manager.find(id)
    if (open) return open
    if (!manager.record(id)) throw new SessionNotFoundError(id)
    return manager.open(id, deps.browserSurface)
  }
  const startTurn = (session: Session, text: string) => {
    if (session.isRunning)
      throw new BadRequest(`session ${session.id} is running a turn: cancel it or wait`, 409)
    // The answer streams on the session's event stream; a failure is in the stream too, and in the log.
    session.prompt([{ type: 'text', text }]).catch((error: unknown) => {
      if (!(error instanceof SessionBusyError))
        deps.logger.warn('session %s: prompt from the dashboard failed: %s', session.id, error)
    })
  }

  app.get('/login', (c) => {
    c.header('Cache-Control', 'no-store')
    c.header('Referrer-Policy', 'no-referrer')
    const cookie = deps.signIns.redeem(c.req.query('code'))
    if (!cookie)
      return c.html(
        signInPage(
          'This sign-in link has expired',
          'Each link works once, for a minute. Run <code>punie dashboard</code> for a new one.',
        ),
        401,
      )
    setCookie(c, cookieName(deps.port()), cookie, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: Math.floor(COOKIE_TTL_MS / 1000),
    })
    return c.redirect('/', 303)
  })

  app.post('/api/sign-in-link', (c) => {
    const base = deps.baseUrl()
    if (deps.token === undefined) return c.json({ url: `${base}/`, expiresAt: null })
    // Only a program holding the token may mint links; a signed-in browser cannot hand its access on.
    const token = presentedToken(c.req.header('authorization'), new URL(c.req.url), 'http')
    if (!sameSecret(token, deps.token)) return c.json({ error: 'a sign-in link needs the server token' }, 403)
    const link = deps.signIns.issue()
    return c.json({ url: `${base}/login?code=${link.code}`, expiresAt: link.expiresAt })
  })

  app.post('/api/sign-out', (c) => {
    const name = cookieName(deps.port())
    deps.signIns.signOut(getCookie(c, name))
    deleteCookie(c, name, { path: '/' })
    return c.json({ signedOut: true })
  })

  app.get('/', (c) => {
    const index = deps.assets.index
    if (!index)
      return c.html(
        signInPage('The dashboard is not built', 'Run <code>npm run build</code> in the Punie checkout.'),
        503,
      )
    return c.body(index.body as Uint8Array<ArrayBuffer>, 200, {
      ...PAGE_HEADERS,
      'Content-Type': index.type,
      'Cache-Control': 'no-store',
    })
  })

  app.get('/assets/:name', (c) => {
    const asset = deps.assets.asset(c.req.param('name'))
    if (!asset) return c.json({ error: `no asset ${c.req.param('name')}` }, 404)
    // Built file names carry a content hash: a new build is a new name.
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'private, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    })
  })

  /** The `limit` most recent sessions, and every open one even when older. */
  const overviewSessions = (limit: number) => {
    const page = manager.list({ limit })
    const listed = new Set(page.sessions.map((r) => r.id))
    const open = manager.live().flatMap((s) => (listed.has(s.id) ? [] : [s.info as SessionRecord]))
    return {
      sessions: [...page.sessions, ...open].map((record) => activity.summary(record)),
      more: page.nextCursor !== undefined,
    }
  }

  app.get('/api/overview', (c) => {
    const limit = Math.min(OVERVIEW_LIMIT, Math.max(1, Number(c.req.query('limit')) || OVERVIEW_LIMIT))
    return c.json({
      version: deps.version,
      models: deps.knownModels,
      ...overviewSessions(limit),
    } satisfies Overview)
  })

  app.get('/api/activity', (c) =>
    streamSSE(c, (stream) =>
      runLiveStream<SessionSummary>(stream, {
        comment: 'punie activity',
        shutdown: deps.shutdown,
        subscribe: (push, recheck) => {
          const stops = [activity.watch(push), deps.signIns.watchSignOuts(recheck)]
          return () => {
            for (const stop of stops) stop()
          }
        },
        // Every session the overview shows, as it is now: a page that opens this stream after fetching the
        // overview misses nothing that changed in between, and a reconnecting one catches up.
        initial: () => overviewSessions(OVERVIEW_LIMIT).sessions,
        allowed: streamAccess(c, deps.signIns, deps.token, deps.port()),
        // A burst of changes to one session sends its latest summary once.
        coalesce: (items) => [...new Map(items.map((s) => [s.id, s])).values()],
        send: (s) => stream.writeSSE({ event: 'session', data: JSON.stringify(s) }),
      }),
    ),
  )

  app.get('/api/sessions/:id', (c) => {
    const id = c.req.param('id')
    const session = summary(id)
    const open = manager.find(id)
    const models = modelChoices(session.model, open?.modelsUsed ?? [], deps.knownModels)
    return c.json({
      session,
      events: manager.transcript(id),
      modes: PERMISSION_MODES,
      models,
    } satisfies SessionDetail)
  })

  app.post('/api/sessions', async (c) => {
    const body = await parse(c.req.raw, newSessionBody)
    // Everything is checked before the session exists, so a refused request leaves nothing behind.
    if (body.model) parseModelSpec(body.model, deps.env)
    const session = manager.create({ cwd: canonicalDirectory(body.cwd), surface: deps.browserSurface })
    if (body.model) session.setModel(body.model)
    if (body.mode) session.setMode(body.mode)
    if (body.prompt?.trim()) startTurn(session, body.prompt)
    return c.json(summary(session.id), 201)
  })

  app.post('/api/sessions/:id/prompt', async (c) => {
    const { text } = await parse(c.req.raw, promptBody)
    startTurn(live(c.req.param('id')), text)
    return c.json({ started: true }, 202)
  })

  app.post('/api/sessions/:id/cancel', (c) => {
    const id = c.req.param('id')
    const session = manager.find(id)
    if (!manager.record(id)) throw new SessionNotFoundError(id)
    if (!session?.isRunning) throw new BadRequest(`session ${id} is not running a turn`, 409)
    session.cancel()
    return c.json({ cancelled: true }, 202)
  })

  app.post('/api/sessions/:id/permissions/:toolCallId', async (c) => {
    const { outcome } = await parse(c.req.raw, permissionBody)
    const id = c.req.param('id')
    const session = manager.find(id)
    if (!manager.record(id)) throw new SessionNotFoundError(id)
    if (!session?.answerPermission(c.req.param('toolCallId'), outcome))
      throw new BadRequest(
        'this request was already answered (in another client) or is no longer pending',
        409,
      )
    return c.json({ answered: outcome })
  })

  app.post('/api/sessions/:id/mode', async (c) => {
    const { mode } = await parse(c.req.raw, modeBody)
    live(c.req.param('id')).setMode(mode)
    return c.json(summary(c.req.param('id')))
  })

  app.post('/api/sessions/:id/model', async (c) => {
    const { model } = await parse(c.req.raw, modelBody)
    live(c.req.param('id')).setModel(model)
    return c.json(summary(c.req.param('id')))
  })
}

/**
 * For a stream: whether its reader may still read. A program with the token always may; a browser as long as its
 * cookie signs it in, so a sign-out (or the cookie's end) ends its streams too.
 */
export function streamAccess(
  c: Context,
  signIns: SignIns,
  token: string | undefined,
  port: number,
): () => boolean {
  if (
    token === undefined ||
    sameSecret(presentedToken(c.req.header('authorization'), new URL(c.req.url), 'http'), token)
  )
    return () => true
  const cookie = getCookie(c, cookieName(port))
  return () => signIns.signedIn(cookie)
}

/** The error replies of the dashboard's routes; undefined for errors that are not theirs. */
export function dashboardError(error: unknown): { body: ApiError; status: 400 | 409 } | undefined {
  if (error instanceof BadRequest) return { body: { error: error.message }, status: error.status }
  if (error instanceof InvalidModeError || error instanceof ModelSpecError)
    return { body: { error: error.message }, status: 400 }
  if (error instanceof SessionBusyError) return { body: { error: error.message }, status: 409 }
  if (error instanceof Error && error.name === 'InvalidSessionRequestError')
    return { body: { error: error.message }, status: 400 }
  return undefined
}

/** The directory with `..`, `.` and symlinks resolved: one project has one name. */
function canonicalDirectory(cwd: string): string {
  if (!isAbsolute(cwd)) throw new BadRequest(`cwd must be an absolute path, got ${JSON.stringify(cwd)}`)
  try {
    return realpathSync(cwd)
  } catch {
    throw new BadRequest(`${JSON.stringify(cwd)} is not an existing directory`)
  }
}

async function parse<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  let json: unknown
  try {
    json = await request.json()
  } catch {
    throw new BadRequest('the body is not valid JSON')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success)
    throw new BadRequest(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    )
  return parsed.data
}
