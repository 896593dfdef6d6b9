// The performance charts, from figures: one definition for the HTML report and the dashboard. Pure, no Node.

import { timeFormatFor } from './axis.js'
import type { LatencyRow, PerfFigures } from './figures.js'
import { barChart, categoryMargin, timeChart } from './svg.js'

export const COLORS = {
  model: '#4f6bed',
  tools: '#2ea87e',
  overhead: '#e0923a',
  wait: '#c9ced8',
  p95: '#b0b7c3',
  prompt: '#8c6bd1',
  completion: '#d45087',
}

/** Each chart as an inline SVG `<figure>`: the per-turn time split, tool and backend latency, tokens, trend. */
export function perfCharts(figures: PerfFigures): string[] {
  const turns = figures.recentTurns
  const turnTime = timeFormatFor(turns.map((t) => t.at))
  const turnLabels = turns.map((t, i) => `#${i + 1} ${turnTime.label(t.at)}`)
  const toolLabels = figures.tools.map((t) => `${t.key} (${t.calls})`)
  const backendLabels = figures.backends.map((b) => `${b.key} (${b.calls})`)
  // The bar charts share one left edge, so that they read as one page.
  const margin = categoryMargin([...turnLabels, ...toolLabels, ...backendLabels])
  return [
    barChart({
      id: 'turn-timeline',
      title: 'Where each turn’s time went (recent turns)',
      categories: turnLabels,
      series: [
        { name: 'model', color: COLORS.model, values: turns.map((t) => t.modelMs) },
        { name: 'tools', color: COLORS.tools, values: turns.map((t) => t.toolMs) },
        { name: 'Punie overhead', color: COLORS.overhead, values: turns.map((t) => t.overheadMs) },
        ...(turns.some((t) => t.waitMs > 0)
          ? [{ name: 'waiting for you', color: COLORS.wait, values: turns.map((t) => t.waitMs) }]
          : []),
      ],
      unit: 'ms',
      stacked: true,
      margin,
      empty: 'no turns in this range',
    }),
    latencyChart(
      'tool-latency',
      'Tool latency by tool (p50 and p95)',
      toolLabels,
      figures.tools,
      COLORS.tools,
      margin,
    ),
    latencyChart(
      'backend-latency',
      'Tool latency by where it ran: IDE, local, sandbox (p50 and p95)',
      backendLabels,
      figures.backends,
      COLORS.model,
      margin,
    ),
    barChart({
      id: 'tokens-per-turn',
      title: 'Tokens per turn',
      categories: turnLabels,
      series: [
        { name: 'prompt', color: COLORS.prompt, values: turns.map((t) => t.promptTokens) },
        { name: 'completion', color: COLORS.completion, values: turns.map((t) => t.completionTokens) },
      ],
      unit: 'tokens',
      stacked: true,
      margin,
      empty: 'no turns in this range',
    }),
    timeChart({
      id: 'session-trend',
      title: 'Mean turn time per session, by when the session started',
      points: figures.trend.map((s) => ({
        at: s.at,
        value: s.meanTurnMs,
        detail: `${s.turns} ${s.turns === 1 ? 'turn' : 'turns'}`,
      })),
      unit: 'ms',
      color: COLORS.model,
      empty: 'no sessions in this range',
    }),
  ]
}

/** p50 and p95 side by side for each row (a tool, a backend). */
function latencyChart(
  id: string,
  title: string,
  categories: string[],
  rows: readonly LatencyRow[],
  color: string,
  margin: number,
): string {
  return barChart({
    id,
    title,
    categories,
    series: [
      { name: 'p50', color, values: rows.map((r) => r.p50) },
      { name: 'p95', color: COLORS.p95, values: rows.map((r) => r.p95) },
    ],
    unit: 'ms',
    margin,
    empty: 'no tool calls in this range',
  })
}
