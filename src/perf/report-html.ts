// The standalone HTML performance report: figures, then charts. Nothing is loaded from outside the file.
import { headlineRows, type PerfFigures } from './figures.js'
import { barChart, escapeHtml, lineChart } from './svg.js'

const COLORS = {
  model: '#4f6bed',
  tools: '#2ea87e',
  overhead: '#e0923a',
  p95: '#b0b7c3',
  prompt: '#8c6bd1',
  completion: '#d45087',
}

export function renderReport(
  figures: PerfFigures,
  meta: { title: string; generatedAt: Date; scope: string },
): string {
  const turns = figures.recentTurns
  const turnLabels = turns.map((t, i) => `#${i + 1} ${new Date(t.at).toISOString().slice(11, 19)}`)
  const charts = [
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
  const rows = headlineRows(figures)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330;max-width:780px}
h1{font-size:20px;margin:0 0 4px}.meta{color:#667;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:16px}td{padding:3px 12px 3px 0}td:first-child{color:#556}
figure{margin:0 0 18px}svg .title{font-weight:600;font-size:14px}svg .label,svg .value{font-size:11px;fill:#445}
svg .axis{stroke:#ccd}
</style></head><body>
<h1>${escapeHtml(meta.title)}</h1>
<div class="meta">${escapeHtml(meta.scope)} · generated ${escapeHtml(meta.generatedAt.toISOString())}</div>
<table>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${figures.turns ? charts.join('\n') : '<p>No turns recorded in this range.</p>'}
</body></html>
`
}
