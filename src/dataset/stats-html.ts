// The standalone HTML page of `punie dataset stats --html`: the figures, then one bar chart each, every bar
// labelled with its value. Inline SVG only: nothing is loaded from outside the file. Pure.
import { barChart, escapeHtml } from '../perf/svg.js'
import type { DatasetStats } from './stats.js'

const COLOR = { files: '#4f6bed', tokens: '#8c6bd1', tools: '#2ea87e', share: '#e0923a', meta: '#d45087' }

export function renderStatsHtml(
  stats: DatasetStats,
  meta: { title: string; files: readonly string[]; generatedAt: Date },
): string {
  const pct = (x: number) => (stats.examples ? (x / stats.examples) * 100 : 0)
  const bars = (id: string, title: string, entries: [string, number][], color: string, unit: string) =>
    entries.length
      ? barChart({
          id,
          title,
          categories: entries.map((e) => e[0]),
          series: [{ name: title, color, values: entries.map((e) => e[1]) }],
          unit,
        })
      : ''
  const charts = [
    bars(
      'files',
      'Examples per file (split)',
      stats.perFile.map((f) => [`${f.split}`, f.examples]),
      COLOR.files,
      'examples',
    ),
    bars(
      'tokens',
      'Estimated tokens per example',
      stats.tokenRanges.map((r) => [r.range, r.examples]),
      COLOR.tokens,
      'examples',
    ),
    bars(
      'tools',
      'Tool calls by tool',
      stats.tools.slice(0, 40).map((t) => [t.name, t.calls]),
      COLOR.tools,
      'calls',
    ),
    bars(
      'answers',
      `Direct answers (target about ${Math.round(stats.directAnswers.target * 100)}%) and tool use`,
      [
        ['direct answer', pct(stats.directAnswers.count)],
        ['tool calls', pct(stats.examples - stats.directAnswers.count)],
      ],
      COLOR.share,
      '%',
    ),
    bars(
      'modes',
      'Tool mode',
      Object.entries(stats.toolModes).map(([k, v]) => [k, pct(v)]),
      COLOR.share,
      '%',
    ),
    bars('categories', 'Categories', Object.entries(stats.categories).slice(0, 40), COLOR.meta, 'examples'),
    bars('outcomes', 'Outcomes', Object.entries(stats.outcomes), COLOR.meta, 'examples'),
  ]
  const rows: [string, string][] = [
    ['files', meta.files.join(', ')],
    ['examples', String(stats.examples)],
    ['invalid lines', String(stats.invalid)],
    ['messages', `${stats.messages.total} (${stats.messages.perExampleMean.toFixed(1)} per example)`],
    [
      'estimated tokens',
      `p50 ${stats.tokens.p50} · p95 ${stats.tokens.p95} · max ${stats.tokens.max} · total ${stats.tokens.total}`,
    ],
    [
      'direct answers',
      `${stats.directAnswers.count} (${pct(stats.directAnswers.count).toFixed(1)}%)${stats.directAnswers.farFromTarget ? ' — far from the ~30% that mattered' : ''}`,
    ],
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#1d2330;max-width:1200px}
table{border-collapse:collapse;margin-bottom:1.5rem}td{padding:.2rem .8rem .2rem 0;vertical-align:top}
td:first-child{color:#5a6270}.warn{color:#b3541e}
figure{margin:1.5rem 0}.title{font-weight:600;font-size:14px}.label{font-size:12px;fill:#333}.value{font-size:12px;fill:#555}.axis{stroke:#aaa}
</style></head><body>
<h1>${escapeHtml(meta.title)}</h1>
<p>Generated ${escapeHtml(meta.generatedAt.toISOString())}. Tokens are estimated (bytes / 3).</p>
<table>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td${k === 'direct answers' && stats.directAnswers.farFromTarget ? ' class="warn"' : ''}>${escapeHtml(v)}</td></tr>`).join('')}</table>
${charts.filter(Boolean).join('\n')}
</body></html>
`
}
