// The standalone HTML page of a grid search: a scatter of quality (mean score, with its Wilson interval) against
// latency (median time per case), every point labelled with its parameters, the Pareto front joined and marked,
// the best point ringed; then the table. No script, nothing loaded from outside the file.
import { escapeHtml, format } from '../perf/svg.js'
import { bestPoint, type PointOutcome, paretoFront } from './tune-figures.js'

const WIDTH = 760
const HEIGHT = 476
const PLOT = { left: 70, right: 30, top: 56, bottom: 60 }
const X_TICKS = 5
const COLORS = { point: '#8a94a6', pareto: '#4f6bed', best: '#d4572a', interval: '#c5cad3', front: '#4f6bed' }

export function tuneScatter(points: readonly PointOutcome[]): string {
  const front = paretoFront(points)
  const best = bestPoint(points)
  const latencies = points.map((p) => p.figures.medianCaseMs / 1000)
  const maxX = niceMax(Math.max(1e-3, ...latencies))
  const plotW = WIDTH - PLOT.left - PLOT.right
  const plotH = HEIGHT - PLOT.top - PLOT.bottom
  const x = (seconds: number) => PLOT.left + (seconds / maxX) * plotW
  const y = (score: number) => PLOT.top + (1 - score) * plotH
  const parts: string[] = []
  for (let i = 0; i <= 4; i++) {
    const v = i / 4
    parts.push(
      `<line x1="${PLOT.left}" y1="${y(v)}" x2="${WIDTH - PLOT.right}" y2="${y(v)}" class="grid"/>`,
      `<text x="${PLOT.left - 6}" y="${y(v) + 4}" text-anchor="end" class="value">${v.toFixed(2)}</text>`,
    )
  }
  for (let i = 0; i <= X_TICKS; i++) {
    const v = (maxX * i) / X_TICKS
    parts.push(
      `<text x="${x(v)}" y="${HEIGHT - PLOT.bottom + 16}" text-anchor="middle" class="value">${format(v)}</text>`,
    )
  }
  parts.push(
    `<line x1="${PLOT.left}" y1="${HEIGHT - PLOT.bottom}" x2="${WIDTH - PLOT.right}" y2="${HEIGHT - PLOT.bottom}" class="axis"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${HEIGHT - PLOT.bottom}" class="axis"/>`,
    `<text x="${PLOT.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle" class="axis-label">latency: median time per case (s) — lower is better</text>`,
    `<text x="18" y="${PLOT.top + plotH / 2}" text-anchor="middle" class="axis-label" transform="rotate(-90 18 ${PLOT.top + plotH / 2})">quality: mean score (95% Wilson interval) — higher is better</text>`,
  )
  const onFront = points
    .filter((p) => front.has(p.index))
    .sort((a, b) => a.figures.medianCaseMs - b.figures.medianCaseMs)
  if (onFront.length > 1) {
    const path = onFront
      .map(
        (p, i) =>
          `${i ? 'L' : 'M'}${x(p.figures.medianCaseMs / 1000).toFixed(1)},${y(p.figures.meanScore).toFixed(1)}`,
      )
      .join(' ')
    parts.push(
      `<path d="${path}" fill="none" stroke="${COLORS.front}" stroke-width="1.5" stroke-dasharray="4 3" class="front"/>`,
    )
  }
  const anchors = points.map((p) => ({
    x: x(p.figures.medianCaseMs / 1000),
    y: y(p.figures.meanScore),
    text: `#${p.index} ${p.key}`,
  }))
  const labels = placeLabels(anchors)
  points.forEach((p) => {
    const f = p.figures
    const cx = x(f.medianCaseMs / 1000)
    const cy = y(f.meanScore)
    const isFront = front.has(p.index)
    const isBest = p === best
    const classes = ['point', ...(isFront ? ['pareto'] : []), ...(isBest ? ['best'] : [])].join(' ')
    const tip = `#${p.index} ${p.key}: score ${f.meanScore.toFixed(3)} [${f.low.toFixed(2)}–${f.high.toFixed(2)}], pass@1 ${(f.passAt1 * 100).toFixed(1)}%, pass^${f.k} ${(f.passAllK * 100).toFixed(1)}%, ${(f.medianCaseMs / 1000).toFixed(2)} s per case${isFront ? ', on the Pareto front' : ''}${isBest ? ', best' : ''}`
    parts.push(
      `<g class="${classes}" data-point="${p.index}" data-key="${escapeHtml(p.key)}">`,
      `<line x1="${cx.toFixed(1)}" y1="${y(f.high).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(f.low).toFixed(1)}" stroke="${COLORS.interval}" stroke-width="2"/>`,
      isBest
        ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="10" fill="none" stroke="${COLORS.best}" stroke-width="2"/>`
        : '',
      isFront
        ? `<rect x="${(cx - 5).toFixed(1)}" y="${(cy - 5).toFixed(1)}" width="10" height="10" transform="rotate(45 ${cx.toFixed(1)} ${cy.toFixed(1)})" fill="${COLORS.pareto}"><title>${escapeHtml(tip)}</title></rect>`
        : `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${COLORS.point}"><title>${escapeHtml(tip)}</title></circle>`,
      '</g>',
    )
  })
  // Labels last, over every mark, each tied to its point by data-point.
  points.forEach((p, i) => {
    const a = anchors[i] as { x: number; y: number }
    parts.push(labelText(labels[i] as Label, a.x, a.y, p.index))
  })
  parts.push(...legend())
  const title = 'Quality against latency, one mark per grid point'
  return `<figure><svg data-chart="tune" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}"><text x="10" y="22" class="title">${escapeHtml(title)}</text>${parts.join('')}</svg></figure>`
}

interface Label {
  x: number
  y: number
  text: string
  /** Where the label ended up, when it had to move away from its point. */
  moved: boolean
}

const CHAR_WIDTH = 6.2
const LINE = 13

/** Labels beside their points, each moved up or down until it overlaps no label placed before it. */
function placeLabels(anchors: readonly { x: number; y: number; text: string }[]): Label[] {
  // Every point's mark is an obstacle from the start, so that no label covers another point.
  const placed: { x: number; y: number; w: number }[] = anchors.map((a) => ({
    x: a.x - 7,
    y: a.y + 4,
    w: 14,
  }))
  const overlaps = (lx: number, ly: number, w: number) =>
    placed.some((b) => lx < b.x + b.w && b.x < lx + w && Math.abs(ly - b.y) < LINE)
  return anchors.map((a) => {
    const w = a.text.length * CHAR_WIDTH
    const lx = Math.min(a.x + 9, WIDTH - PLOT.right - w)
    let ly = a.y - 8
    for (let step = 1; overlaps(lx, ly, w) && step < 40; step++)
      ly = a.y - 8 + (step % 2 ? 1 : -1) * Math.ceil(step / 2) * LINE
    placed.push({ x: lx, y: ly, w })
    return { x: lx, y: ly, text: a.text, moved: Math.abs(ly - (a.y - 8)) > 0.5 || lx !== a.x + 9 }
  })
}

function labelText(label: Label, cx: number, cy: number, index: number): string {
  const leader = label.moved
    ? `<line x1="${cx.toFixed(1)}" y1="${cy.toFixed(1)}" x2="${label.x.toFixed(1)}" y2="${(label.y - 4).toFixed(1)}" class="leader"/>`
    : ''
  return `${leader}<text x="${label.x.toFixed(1)}" y="${label.y.toFixed(1)}" class="label" data-label="${index}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(label.text)}</text>`
}

function legend(): string[] {
  const y = 22
  const at = WIDTH - 330
  return [
    `<circle cx="${at}" cy="${y - 4}" r="5" fill="${COLORS.point}"/>`,
    `<text x="${at + 9}" y="${y}" class="label">point</text>`,
    `<rect x="${at + 55}" y="${y - 9}" width="10" height="10" transform="rotate(45 ${at + 60} ${y - 4})" fill="${COLORS.pareto}"/>`,
    `<text x="${at + 70}" y="${y}" class="label">Pareto front</text>`,
    `<circle cx="${at + 160}" cy="${y - 4}" r="8" fill="none" stroke="${COLORS.best}" stroke-width="2"/>`,
    `<text x="${at + 173}" y="${y}" class="label">best by score</text>`,
  ]
}

/** A round axis end a little above the largest value: 1, 2, 5 or 10 times a power of ten (ticks of a fifth). */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 10].find((s) => s * power >= value * 1.05) ?? 10
  return step * power
}

export interface TunePageMeta {
  id: string
  model: string
  suites: readonly string[]
  repeat: number
  generatedAt: Date
  /** Points of the grid not scored (yet). */
  missing: number
}

export function renderTunePage(points: readonly PointOutcome[], table: string, meta: TunePageMeta): string {
  const summary: [string, string][] = [
    ['model', meta.model],
    ['suites', meta.suites.join(', ')],
    ['attempts per case', String(meta.repeat)],
    [
      'points scored',
      `${points.length}${meta.missing ? ` (${meta.missing} not yet: resume to finish)` : ''}`,
    ],
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Punie tune ${escapeHtml(meta.id)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px;margin:0 0 4px}.meta{color:#667;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:16px}td{padding:3px 12px 3px 0}
pre{font:12px ui-monospace,monospace;background:#f6f7f9;padding:10px;overflow-x:auto}
figure{margin:0 0 18px}svg .title{font-weight:600;font-size:14px}svg .label,svg .value{font-size:11px;fill:#445}
svg .axis-label{font-size:12px;fill:#334}svg .axis{stroke:#99a}svg .grid{stroke:#eceef2}svg .leader{stroke:#c5cad3}
</style></head><body>
<h1>Punie grid search ${escapeHtml(meta.id)}</h1>
<div class="meta">generated ${escapeHtml(meta.generatedAt.toISOString())}</div>
<table id="summary">${summary.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${points.length ? tuneScatter(points) : '<p>No point has been scored yet.</p>'}
<h2>Points</h2>
<pre id="table">${escapeHtml(table)}</pre>
</body></html>
`
}
