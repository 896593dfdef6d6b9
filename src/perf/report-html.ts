// The standalone HTML performance report: figures, then charts. Nothing is loaded from outside the file.
// The page is as wide as the charts may grow (svg.ts), so they use it; below 720 px they scroll rather than shrink.

import { perfCharts } from './charts.js'
import { headlineRows, type PerfFigures } from './figures.js'
import { escapeHtml } from './svg.js'

export function renderReport(
  figures: PerfFigures,
  meta: { title: string; generatedAt: Date; scope: string },
): string {
  const charts = perfCharts(figures)
  const rows = headlineRows(figures)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}.meta{color:#667;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:16px}td{padding:3px 12px 3px 0}td:first-child{color:#556}
figure{margin:0 0 18px;overflow-x:auto}svg[data-chart]{min-width:720px}
</style></head><body>
<h1>${escapeHtml(meta.title)}</h1>
<div class="meta">${escapeHtml(meta.scope)} · generated ${escapeHtml(meta.generatedAt.toISOString())}</div>
<table>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${figures.turns ? charts.join('\n') : '<p>No turns recorded in this range.</p>'}
</body></html>
`
}
