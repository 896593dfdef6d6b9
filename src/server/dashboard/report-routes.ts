// The dashboard's reports: performance figures (and the standalone HTML report) read from the sessions'
// events, and the flywheel's examples to accept or reject.
import type { Hono } from 'hono'
import { z } from 'zod'
import {
  decide,
  exampleLines,
  type ReviewEntry,
  type ReviewPaths,
  reviewEntries,
} from '../../flywheel/review.js'
import { PerfCollector } from '../../perf/collector.js'
import { computeFigures, type PerfFigures } from '../../perf/figures.js'
import { renderReport } from '../../perf/report-html.js'
import type { SessionManager } from '../../session/manager.js'
import type { PerfPanel, ReviewDecision, ReviewItem, ReviewList } from './api.js'

export interface ReportDeps {
  manager: SessionManager
  /** Where the flywheel reads; without it the review page says it is unavailable. */
  review?: ReviewPaths
}

/** Sessions updated this recently make up the performance panel when no session is named. */
const PERF_WINDOW_MS = 7 * 24 * 60 * 60 * 1000
const PERF_MAX_SESSIONS = 500
const REVIEW_LIMIT = 500

const decisionBody = z.object({
  decision: z.enum(['accepted', 'rejected']),
}) satisfies z.ZodType<ReviewDecision>

export function mountReports(app: Hono, deps: ReportDeps): void {
  app.get('/api/perf', (c) => {
    const session = c.req.query('session')
    const { figures, scope } = perfOf(deps.manager, session)
    const reportUrl = `/perf/report.html${session ? `?session=${encodeURIComponent(session)}` : ''}`
    return c.json({ scope, figures, reportUrl } satisfies PerfPanel)
  })

  app.get('/perf/report.html', (c) => {
    const { figures, scope } = perfOf(deps.manager, c.req.query('session'))
    const html = renderReport(figures, { title: 'Punie performance report', generatedAt: new Date(), scope })
    return c.html(html, 200, {
      // The report is self-contained: styles inline, no script at all.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    })
  })

  app.get('/api/review', (c) => {
    const entries = deps.review ? reviewEntries(deps.review) : undefined
    if (!entries) return c.json({ enabled: false, examples: [] } satisfies ReviewList)
    const examples = entries.slice(-REVIEW_LIMIT).reverse().map(reviewItem)
    return c.json({ enabled: true, examples } satisfies ReviewList)
  })

  app.post('/api/review/:id', async (c) => {
    const parsed = decisionBody.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success)
      return c.json({ error: 'send {"decision": "accepted"} or {"decision": "rejected"}' }, 400)
    const id = c.req.param('id')
    if (!deps.review || !decide(deps.review, id, parsed.data.decision))
      return c.json({ error: `no example ${id} to review` }, 404)
    return c.json({ id, decision: parsed.data.decision })
  })
}

function perfOf(
  manager: SessionManager,
  session: string | undefined,
): { figures: PerfFigures; scope: string } {
  const collector = new PerfCollector()
  if (session) {
    for (const event of manager.transcript(session)) collector.add(event)
    return { figures: computeFigures(collector), scope: `session ${session}` }
  }
  const since = Date.now() - PERF_WINDOW_MS
  let cursor: string | undefined
  let read = 0
  // Pages come newest first: stop at the first session older than the window.
  for (;;) {
    const page = manager.list({ limit: 100, ...(cursor ? { cursor } : {}) })
    const recent = page.sessions.filter((r) => r.updatedAt >= since)
    for (const record of recent) for (const event of manager.transcript(record.id)) collector.add(event)
    read += recent.length
    if (recent.length < page.sessions.length || !page.nextCursor || read >= PERF_MAX_SESSIONS) break
    cursor = page.nextCursor
  }
  return {
    figures: computeFigures(collector),
    scope: `${read} session${read === 1 ? '' : 's'} active in the last 7 days`,
  }
}

function reviewItem(entry: ReviewEntry): ReviewItem {
  const m = entry.example.metadata
  return {
    id: m?.id ?? '',
    project: entry.project,
    sessionId: entry.sessionId,
    at: typeof m?.capturedAt === 'string' ? Date.parse(m.capturedAt) || 0 : 0,
    outcome: m?.outcome ?? 'unknown',
    labels: m?.labels ?? [],
    lines: exampleLines(entry.example),
    decision: entry.decision ?? null,
  }
}
