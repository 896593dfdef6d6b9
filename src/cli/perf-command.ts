// `punie perf summary|report`: performance figures read back from the recorded event log.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { homePaths, punieHome } from '../config/home.js'
import { PerfCollector } from '../perf/collector.js'
import { computeFigures, headlineRows, type PerfFigures } from '../perf/figures.js'
import { renderReport } from '../perf/report-html.js'
import { format } from '../perf/svg.js'
import { SqliteStore } from '../store/sqlite-store.js'

export interface PerfScopeOptions {
  session?: string
  since: string
}

export class PerfCommandError extends Error {
  override name = 'PerfCommandError'
}

/** "7d", "12h", "30m" → milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(text.trim())
  if (!match)
    throw new PerfCommandError(`--since takes an age like 30m, 12h, 7d or 2w, not ${JSON.stringify(text)}`)
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'm' | 'h' | 'd' | 'w']
  return Number(match[1]) * unit
}

export function collectFigures(
  options: PerfScopeOptions,
  home = punieHome(),
): { figures: PerfFigures; scope: string } {
  const database = homePaths(home).database
  if (!existsSync(database))
    throw new PerfCommandError(`no sessions recorded yet (${database} does not exist)`)
  const store = SqliteStore.open(database)
  try {
    let sessionIds: string[]
    let scope: string
    if (options.session) {
      if (!store.getSession(options.session)) throw new PerfCommandError(`no session ${options.session}`)
      sessionIds = [options.session]
      scope = `session ${options.session}`
    } else {
      const since = Date.now() - parseAge(options.since)
      sessionIds = store.sessionsUpdatedSince(since).map((s) => s.id)
      scope = `sessions active in the last ${options.since}`
    }
    const collector = new PerfCollector()
    for (const id of sessionIds) for (const event of store.events(id)) collector.add(event)
    return { figures: computeFigures(collector), scope }
  } finally {
    store.close()
  }
}

export function summaryText(figures: PerfFigures, scope: string): string {
  const rows = headlineRows(figures)
  const width = Math.max(...rows.map(([label]) => label.length))
  const lines = [
    `Punie performance, ${scope}`,
    '',
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ]
  if (figures.tools.length) {
    const width = Math.max(
      4,
      ...figures.tools.map((t) => t.key.length),
      ...figures.backends.map((b) => b.key.length),
    )
    const row = (k: string, calls: string, errors: string, p50: string, p95: string) =>
      `${k.padEnd(width)}  ${calls.padStart(5)}  ${errors.padStart(6)}  ${p50.padStart(9)}  ${p95.padStart(9)}`
    lines.push('', row('tool', 'calls', 'errors', 'p50 ms', 'p95 ms'))
    for (const t of figures.tools)
      lines.push(row(t.key, `${t.calls}`, `${t.errors}`, format(t.p50), format(t.p95)))
    lines.push('', row('backend', 'calls', 'errors', 'p50 ms', 'p95 ms'))
    for (const b of figures.backends)
      lines.push(row(b.key, `${b.calls}`, `${b.errors}`, format(b.p50), format(b.p95)))
  }
  return lines.join('\n')
}

export function writeReport(options: PerfScopeOptions & { out?: string }, home = punieHome()): string {
  const { figures, scope } = collectFigures(options, home)
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const out = resolve(options.out ?? join(home, 'reports', `perf-${stamp}.html`))
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    renderReport(figures, { title: 'Punie performance report', generatedAt: new Date(), scope }),
  )
  return out
}
