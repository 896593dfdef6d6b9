// The figures of each grid point from its evaluation's attempts, which points are best (the Pareto front of
// quality against latency, and the single best by score), and the terminal table. Pure.
import type { CaseResult } from '../eval/runner.js'
import { aggregate, runFigures, wilson } from '../eval/stats.js'
import type { HyperValue, InferenceParams } from './tune-spec.js'

export interface PointFigures {
  cases: number
  attempts: number
  /** Attempts per case: the k of pass^k. */
  k: number
  passAt1: number
  passAllK: number
  meanScore: number
  /** 95% Wilson score interval of the mean score (the share of attempt credit earned). */
  low: number
  high: number
  /** Median time of one attempt (one case's turn, start to scored), ms. */
  medianCaseMs: number
  /** Completion tokens per second of model time, where the server reported usage. */
  tokensPerSecond?: number
  /** Attempts that could not be judged normally (timeouts, an unreachable model). */
  errors: number
}

export interface PointOutcome {
  index: number
  key: string
  inference: InferenceParams
  train?: Record<string, HyperValue>
  /** The eval run that scored it (`punie eval report RUN`). */
  evalRunId: string
  figures: PointFigures
}

export function pointFigures(results: readonly CaseResult[]): PointFigures {
  const outcomes = results.map((r) => ({
    caseKey: `${r.suite}/${r.caseId}`,
    category: r.category,
    score: r.score,
    passed: r.passed,
  }))
  const a = aggregate(outcomes)
  const { k } = runFigures(outcomes)
  const credit = results.reduce((s, r) => s + r.score, 0)
  const [low, high] = wilson(credit, results.length)
  const modelMs = results.reduce((s, r) => s + r.modelMs, 0)
  const tokens = results.reduce((s, r) => s + (r.completionTokens ?? 0), 0)
  return {
    cases: a.cases,
    attempts: a.attempts,
    k,
    passAt1: a.passAt1,
    passAllK: a.passAllK,
    meanScore: a.meanScore,
    low,
    high,
    medianCaseMs: median(results.map((r) => r.durationMs)),
    ...(tokens > 0 && modelMs > 0 ? { tokensPerSecond: tokens / (modelMs / 1000) } : {}),
    errors: results.filter((r) => r.error !== undefined).length,
  }
}

export function median(values: readonly number[]): number {
  if (!values.length) return 0
  const sorted = [...values].sort((x, y) => x - y)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Indexes of the points no other point beats on both quality (higher score) and latency (lower median). */
export function paretoFront(points: readonly PointOutcome[]): Set<number> {
  const front = new Set<number>()
  for (const p of points) {
    const dominated = points.some(
      (q) =>
        q !== p &&
        q.figures.meanScore >= p.figures.meanScore &&
        q.figures.medianCaseMs <= p.figures.medianCaseMs &&
        (q.figures.meanScore > p.figures.meanScore || q.figures.medianCaseMs < p.figures.medianCaseMs),
    )
    if (!dominated) front.add(p.index)
  }
  return front
}

/** The best point: highest mean score, then highest pass^k, then the lowest latency, then the first. */
export function bestPoint(points: readonly PointOutcome[]): PointOutcome | undefined {
  return [...points].sort(
    (a, b) =>
      b.figures.meanScore - a.figures.meanScore ||
      b.figures.passAllK - a.figures.passAllK ||
      a.figures.medianCaseMs - b.figures.medianCaseMs ||
      a.index - b.index,
  )[0]
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** Columns of the point's parameters, in a fixed order: training hyperparameters, then inference. */
function paramColumns(points: readonly PointOutcome[]): { name: string; of: (p: PointOutcome) => string }[] {
  const trainNames = [...new Set(points.flatMap((p) => Object.keys(p.train ?? {})))]
  const show = (v: unknown) => (v === undefined ? '-' : String(v))
  const inference: { name: string; field: keyof InferenceParams }[] = [
    { name: 'temperature', field: 'temperature' },
    { name: 'top_p', field: 'topP' },
    { name: 'max_tokens', field: 'maxTokens' },
  ]
  return [
    ...trainNames.map((n) => ({ name: n, of: (p: PointOutcome) => show(p.train?.[n]) })),
    ...inference
      .filter((c) => points.some((p) => p.inference[c.field] !== undefined))
      .map((c) => ({ name: c.name, of: (p: PointOutcome) => show(p.inference[c.field]) })),
  ]
}

/** The results table: one row per point in grid order, the best marked ★ and the Pareto front ◆. */
export function tuneTable(points: readonly PointOutcome[]): string {
  if (!points.length) return 'no point has been scored yet'
  const sorted = [...points].sort((a, b) => a.index - b.index)
  const front = paretoFront(sorted)
  const best = bestPoint(sorted)
  const k = Math.min(...sorted.map((p) => p.figures.k))
  const params = paramColumns(sorted)
  const header = [
    '#',
    ...params.map((c) => c.name),
    'pass@1',
    `pass^${k}`,
    'score [95% CI]',
    'median/case',
    'out tok/s',
    '',
  ]
  const rows = sorted.map((p) => {
    const f = p.figures
    const marks = [p === best ? '★ best' : '', front.has(p.index) ? '◆ pareto' : ''].filter(Boolean).join(' ')
    return [
      String(p.index),
      ...params.map((c) => c.of(p)),
      pct(f.passAt1),
      pct(f.passAllK),
      `${f.meanScore.toFixed(3)} [${f.low.toFixed(2)}–${f.high.toFixed(2)}]`,
      seconds(f.medianCaseMs),
      f.tokensPerSecond !== undefined ? f.tokensPerSecond.toFixed(0) : '-',
      `${marks}${f.errors ? `${marks ? ' ' : ''}(${f.errors} errors)` : ''}`,
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  // Numbers align right, names left.
  const firstNumeric = 1 + params.length
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1
          ? c
          : i >= firstNumeric || i === 0
            ? c.padStart(widths[i] ?? 0)
            : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd()
  const lines = [line(header), ...rows.map(line)]
  if (best) {
    lines.push(
      '',
      `best: #${best.index} ${best.key} · score ${best.figures.meanScore.toFixed(3)} · pass^${best.figures.k} ${pct(best.figures.passAllK)} · ${seconds(best.figures.medianCaseMs)} per case (eval run ${best.evalRunId})`,
      `pareto front (quality against latency): ${[...front].map((i) => `#${i}`).join(', ')}`,
    )
  }
  return lines.join('\n')
}
