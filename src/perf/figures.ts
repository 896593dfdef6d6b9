// The figures a report shows, computed from collected timings. Pure.
import {
  type ModelTiming,
  type PerfCollector,
  quantile,
  type ToolTiming,
  type TurnTiming,
} from './collector.js'
import { format } from './svg.js'

export interface LatencyRow {
  key: string
  calls: number
  errors: number
  p50: number
  p95: number
}

export interface SessionTrend {
  sessionId: string
  at: number
  turns: number
  meanTurnMs: number
  meanOverheadMs: number
}

export interface PerfFigures {
  sessions: number
  turns: number
  turnP50: number
  turnP95: number
  overheadP50: number
  modelShare: number
  toolShare: number
  /** Share of turn time spent waiting for the user's permission answers. */
  waitShare: number
  overheadShare: number
  modelRequests: number
  firstTokenP50?: number
  /** Generation speed over the requests that streamed long enough to time; absent when none did. */
  tokensPerSecondP50?: number
  tokensPerSecondP95?: number
  /** How many model requests the speed figures cover. */
  tokensPerSecondRequests: number
  promptTokens: number
  completionTokens: number
  tools: LatencyRow[]
  backends: LatencyRow[]
  recentTurns: TurnTiming[]
  trend: SessionTrend[]
}

export function computeFigures(collector: PerfCollector, recent = 30): PerfFigures {
  const { turns, tools, models } = collector
  const total = sum(turns.map((t) => t.totalMs))
  const share = (part: number) => (total > 0 ? part / total : 0)
  const ttft = models.map((m) => m.firstTokenMs).filter((v): v is number => v !== undefined)
  const speeds = models.map((m) => m.tokensPerSecond).filter((v): v is number => v !== undefined)
  return {
    sessions: new Set(turns.map((t) => t.sessionId)).size,
    turns: turns.length,
    turnP50:
      quantile(
        turns.map((t) => t.totalMs),
        0.5,
      ) ?? 0,
    turnP95:
      quantile(
        turns.map((t) => t.totalMs),
        0.95,
      ) ?? 0,
    overheadP50:
      quantile(
        turns.map((t) => t.overheadMs),
        0.5,
      ) ?? 0,
    modelShare: share(sum(turns.map((t) => t.modelMs))),
    toolShare: share(sum(turns.map((t) => t.toolMs))),
    waitShare: share(sum(turns.map((t) => t.waitMs))),
    overheadShare: share(sum(turns.map((t) => t.overheadMs))),
    modelRequests: models.length,
    ...optional('firstTokenP50', quantile(ttft, 0.5)),
    ...optional('tokensPerSecondP50', quantile(speeds, 0.5)),
    ...optional('tokensPerSecondP95', quantile(speeds, 0.95)),
    tokensPerSecondRequests: speeds.length,
    promptTokens: sum(models.map((m: ModelTiming) => m.promptTokens)),
    completionTokens: sum(models.map((m: ModelTiming) => m.completionTokens)),
    tools: latencyBy(tools, (t) => t.name),
    backends: latencyBy(tools, (t) => t.backend),
    recentTurns: [...turns].sort((a, b) => a.at - b.at).slice(-recent),
    trend: trendBySession(turns),
  }
}

function latencyBy(tools: readonly ToolTiming[], keyOf: (t: ToolTiming) => string): LatencyRow[] {
  const groups = new Map<string, ToolTiming[]>()
  for (const tool of tools) groups.set(keyOf(tool), [...(groups.get(keyOf(tool)) ?? []), tool])
  return [...groups.entries()]
    .map(([key, group]) => ({
      key,
      calls: group.length,
      errors: group.filter((t) => !t.ok).length,
      p50:
        quantile(
          group.map((t) => t.durationMs),
          0.5,
        ) ?? 0,
      p95:
        quantile(
          group.map((t) => t.durationMs),
          0.95,
        ) ?? 0,
    }))
    .sort((a, b) => b.calls - a.calls || a.key.localeCompare(b.key))
}

function trendBySession(turns: readonly TurnTiming[]): SessionTrend[] {
  const bySession = new Map<string, TurnTiming[]>()
  for (const turn of turns) bySession.set(turn.sessionId, [...(bySession.get(turn.sessionId) ?? []), turn])
  return [...bySession.entries()]
    .map(([sessionId, group]) => ({
      sessionId,
      at: Math.min(...group.map((t) => t.at)),
      turns: group.length,
      meanTurnMs: sum(group.map((t) => t.totalMs)) / group.length,
      meanOverheadMs: sum(group.map((t) => t.overheadMs)) / group.length,
    }))
    .sort((a, b) => a.at - b.at)
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
}

/** The headline figures as label and value, for the terminal summary and the HTML report alike. */
export function headlineRows(f: PerfFigures): [string, string][] {
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${format(v)} ms`)
  return [
    ['sessions / turns', `${f.sessions} / ${f.turns}`],
    ['turn time p50 / p95', `${format(f.turnP50)} / ${format(f.turnP95)} ms`],
    ['time in model / tools / Punie', `${pct(f.modelShare)} / ${pct(f.toolShare)} / ${pct(f.overheadShare)}`],
    ...(f.waitShare > 0
      ? [['time waiting for permission answers', pct(f.waitShare)] as [string, string]]
      : []),
    ['Punie overhead per turn, p50', ms(f.overheadP50)],
    ['model requests', `${f.modelRequests}`],
    ['time to first token, p50', ms(f.firstTokenP50)],
    ['generation speed p50 / p95', speed(f)],
    ['tokens: prompt / completion', `${f.promptTokens} / ${f.completionTokens}`],
  ]
}

function speed(f: PerfFigures): string {
  if (f.tokensPerSecondP50 === undefined || f.tokensPerSecondP95 === undefined)
    return f.modelRequests ? 'n/a (no answer streamed long enough to time)' : 'n/a'
  const covered =
    f.tokensPerSecondRequests < f.modelRequests
      ? ` (${f.tokensPerSecondRequests} of ${f.modelRequests} requests timed)`
      : ''
  return `${format(f.tokensPerSecondP50)} / ${format(f.tokensPerSecondP95)} tokens/s${covered}`
}
