// The performance charts, from figures: one definition for the HTML report and the dashboard. Pure, no Node.
import type { PerfFigures } from './figures.js'
import { barChart, lineChart } from './svg.js'

export const COLORS = {
  model: '#4f6bed',
  tools: '#2ea87e',
  overhead: '#e0923a',
  p95: '#b0b7c3',
  prompt: '#8c6bd1',
  completion: '#d45087',
}

/** Each chart as an inline SVG `<figure>`: the per-turn time split, tool and backend latency, tokens, trend. */
export function perfCharts(figures: PerfFigures): string[] {
  const turns = figures.recentTurns
  const turnLabels = turns.map((t, i) => `#${i + 1} ${new Date(t.at).toISOString().slice(11, 19)}`)
  return [
    barChart({
      id: 'turn-timeline',
      title: 'Where each turn’s time went (recent turns)',
      categories: turnLabels,
      series: [
        { name: 'model', color: COLORS.model, values: turns.map((t) => t.modelMs) },
        { name: 'tools', color: COLORS.tools, values: turns.map((t) => t.toolMs) },
        { name: 'Punie overhead', color: COLORS.overhead, values: turns.map((t) => t.overheadMs) },
      ],
      unit: 'ms',
      stacked: true,
    }),
    barChart({
      id: 'tool-latency',
      title: 'Tool latency by tool (p50 and p95)',
      categories: figures.tools.map((t) => `${t.key} (${t.calls})`),
      series: [
        { name: 'p50', color: COLORS.tools, values: figures.tools.map((t) => t.p50) },
        { name: 'p95', color: COLORS.p95, values: figures.tools.map((t) => t.p95) },
      ],
      unit: 'ms',
    }),
    barChart({
      id: 'backend-latency',
      title: 'Tool latency by where it ran: IDE, local, sandbox (p50 and p95)',
      categories: figures.backends.map((b) => `${b.key} (${b.calls})`),
      series: [
        { name: 'p50', color: COLORS.model, values: figures.backends.map((b) => b.p50) },
        { name: 'p95', color: COLORS.p95, values: figures.backends.map((b) => b.p95) },
      ],
      unit: 'ms',
    }),
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
    }),
    lineChart({
      id: 'session-trend',
      title: 'Mean turn time per session, over time',
      points: figures.trend.map((s) => ({
        label: new Date(s.at).toISOString().slice(5, 16).replace('T', ' '),
        value: s.meanTurnMs,
      })),
      unit: 'ms',
      color: COLORS.model,
    }),
  ]
}
