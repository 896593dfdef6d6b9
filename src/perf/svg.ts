// Small inline-SVG charts for standalone reports and the dashboard: no script, no CDN. Pure string builders.
// Each chart is laid out in a viewBox CHART_WIDTH units wide and scales to its container's width, up to
// CHART_MAX_WIDTH px, so text (11 units) reads at 11–14 px on a wide page instead of growing with the screen.
import { axisLabels, textWidth, timeFormatFor } from './axis.js'

export const CHART_WIDTH = 960
export const CHART_MAX_WIDTH = 1200

export interface Series {
  name: string
  color: string
  values: readonly number[]
}

export interface BarChartOptions {
  id: string
  title: string
  categories: readonly string[]
  series: readonly Series[]
  unit: string
  /** One bar per row made of the series' segments, labelled with its total; otherwise a bar per series. */
  stacked?: boolean
  /** How a value reads in labels and tooltips (default: `format` and the unit). */
  formatValue?: (value: number) => string
  /** Said in place of the bars when there are no categories. */
  empty?: string
  /** The left margin for the category labels (default: `categoryMargin` of these), to align several charts. */
  margin?: number
}

/** A left margin that fits the longest category, cut beyond a third of the width. */
export function categoryMargin(categories: readonly string[]): number {
  return clamp(Math.max(0, ...categories.map((c) => textWidth(c))) + 14, 60, CHART_WIDTH / 3)
}

const TOP = 36
// Side by side, each series has a slot of its own: its value label (11 units) never reaches the next slot's.
const SLOT = 16
const ROW_GAP = 6
const STACKED_ROW = 22
const LABEL_GAP = 4

export function barChart(o: BarChartOptions): string {
  const show = o.formatValue ?? ((v: number) => `${format(v)} ${o.unit}`)
  const value = (s: Series, i: number) => s.values[i] ?? 0
  const totals = o.categories.map((_, i) =>
    o.stacked
      ? o.series.reduce((sum, s) => sum + value(s, i), 0)
      : Math.max(0, ...o.series.map((s) => value(s, i))),
  )
  const valueLabels = o.stacked
    ? totals.map(show)
    : o.categories.flatMap((_, i) => o.series.map((s) => show(value(s, i))))
  const left = o.margin ?? categoryMargin(o.categories)
  const right = clamp(Math.max(0, ...valueLabels.map((v) => textWidth(v))) + 16, 40, CHART_WIDTH / 4)
  const plotWidth = CHART_WIDTH - left - right
  const max = Math.max(1e-9, ...totals)
  const scale = (v: number) => (Math.max(0, v) / max) * plotWidth
  const rowHeight = o.stacked ? STACKED_ROW : Math.max(1, o.series.length) * SLOT + ROW_GAP
  const parts: string[] = []
  let y = TOP
  o.categories.forEach((category, i) => {
    parts.push(
      `<text x="${left - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end" class="label">${fitText(category, left - 14)}</text>`,
    )
    if (o.stacked) parts.push(...stackedRow(o, i, y, left, scale, show, show(totals[i] ?? 0)))
    else {
      o.series.forEach((series, s) => {
        const v = value(series, i)
        const width = Math.max(v > 0 ? 1 : 0, scale(v))
        const barY = y + s * SLOT
        const barHeight = SLOT - 3
        parts.push(
          `<rect x="${left}" y="${barY}" width="${width.toFixed(1)}" height="${barHeight}" fill="${series.color}"><title>${escapeHtml(`${category} · ${series.name}: ${show(v)}`)}</title></rect>`,
          `<text x="${(left + width + LABEL_GAP).toFixed(1)}" y="${(barY + barHeight / 2 + 4).toFixed(1)}" class="value" data-series="${escapeHtml(series.name)}">${escapeHtml(show(v))}</text>`,
        )
      })
    }
    y += rowHeight
  })
  if (o.categories.length === 0) {
    parts.push(
      `<text x="${left}" y="${y + 14}" class="label">${escapeHtml(o.empty ?? 'nothing recorded')}</text>`,
    )
    y += rowHeight
  }
  return chart(o.id, o.title, y + 40, [...legend(o.series, left, y + 22), ...parts])
}

function stackedRow(
  o: BarChartOptions,
  i: number,
  y: number,
  left: number,
  scale: (v: number) => number,
  show: (v: number) => string,
  total: string,
): string[] {
  const category = o.categories[i] ?? ''
  const barY = y + 3
  const barHeight = STACKED_ROW - 6
  const parts: string[] = []
  let x = left
  for (const series of o.series) {
    const v = series.values[i] ?? 0
    const width = Math.max(v > 0 ? 1 : 0, scale(v))
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${barY}" width="${width.toFixed(1)}" height="${barHeight}" fill="${series.color}"><title>${escapeHtml(`${category} · ${series.name}: ${show(v)}`)}</title></rect>`,
    )
    // A segment wide enough carries its own value; the tooltip has it either way.
    const text = show(v)
    if (o.series.length > 1 && width >= textWidth(text) + 8)
      parts.push(
        `<text x="${(x + width / 2).toFixed(1)}" y="${barY + barHeight / 2 + 4}" text-anchor="middle" class="segment" fill="#fff">${escapeHtml(text)}</text>`,
      )
    x += width
  }
  parts.push(
    `<text x="${(x + LABEL_GAP).toFixed(1)}" y="${barY + barHeight / 2 + 4}" class="value total">${escapeHtml(total)}</text>`,
  )
  return parts
}

export interface TimeChartOptions {
  id: string
  title: string
  /** In time order or not: they are placed by `at` (ms since the epoch). */
  points: readonly { at: number; value: number; detail?: string }[]
  unit: string
  color: string
  /** Said in place of the line when there are no points. */
  empty?: string
}

const TIME_HEIGHT = 250
const TIME_PLOT = { left: 70, right: 24, top: 40, bottom: 58, inset: 12 }

/** A line over time: points placed by their time, the axis labelled in a format chosen from the range. */
export function timeChart(o: TimeChartOptions): string {
  const p = TIME_PLOT
  const base = TIME_HEIGHT - p.bottom
  const points = [...o.points].sort((a, b) => a.at - b.at)
  const max = Math.max(1e-9, ...points.map((q) => q.value))
  const first = points[0]?.at ?? 0
  const span = (points.at(-1)?.at ?? 0) - first
  const x0 = p.left + p.inset
  const x1 = CHART_WIDTH - p.right - p.inset
  // One point, or several at the same instant, sit in the middle.
  const xOf = (at: number) => (span > 0 ? x0 + ((at - first) / span) * (x1 - x0) : (x0 + x1) / 2)
  const yOf = (v: number) => base - (v / max) * (base - p.top)
  const time = timeFormatFor(points.map((q) => q.at))
  const parts = [
    `<line x1="${p.left}" y1="${p.top}" x2="${CHART_WIDTH - p.right}" y2="${p.top}" class="grid" stroke="#eceef2"/>`,
    `<line x1="${p.left}" y1="${base}" x2="${CHART_WIDTH - p.right}" y2="${base}" class="axis" stroke="#ccd"/>`,
    `<text x="${p.left - 6}" y="${p.top + 4}" text-anchor="end" class="value">${format(max)} ${escapeHtml(o.unit)}</text>`,
    `<text x="${p.left - 6}" y="${base + 4}" text-anchor="end" class="value">0</text>`,
  ]
  if (points.length === 0) {
    parts.push(
      `<text x="${CHART_WIDTH / 2}" y="${(p.top + base) / 2}" text-anchor="middle" class="label">${escapeHtml(o.empty ?? 'nothing recorded')}</text>`,
    )
    return chart(o.id, o.title, TIME_HEIGHT, parts)
  }
  const xy = points.map((q) => ({ ...q, x: xOf(q.at), y: yOf(q.value) }))
  if (xy.length > 1)
    parts.push(
      `<path d="${xy.map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ')}" fill="none" stroke="${o.color}" stroke-width="2"/>`,
    )
  for (const q of xy) {
    const tip = `${new Date(q.at).toISOString().replace('T', ' ').slice(0, 19)} UTC: ${format(q.value)} ${o.unit}${q.detail ? ` · ${q.detail}` : ''}`
    parts.push(
      `<circle cx="${q.x.toFixed(1)}" cy="${q.y.toFixed(1)}" r="4" fill="${o.color}"><title>${escapeHtml(tip)}</title></circle>`,
    )
  }
  const labels = axisLabels(
    xy.map((q) => ({ x: q.x, text: time.label(q.at) })),
    { min: 2, max: CHART_WIDTH - 2 },
  )
  for (const label of labels)
    parts.push(
      `<text x="${label.x.toFixed(1)}" y="${base + 18}" text-anchor="${label.anchor}" class="label tick">${escapeHtml(label.text)}</text>`,
    )
  parts.push(
    `<text x="${(x0 + x1) / 2}" y="${base + 40}" text-anchor="middle" class="label caption">${escapeHtml(time.caption)}</text>`,
  )
  return chart(o.id, o.title, TIME_HEIGHT, parts)
}

function chart(id: string, title: string, height: number, parts: string[]): string {
  const h = Math.ceil(height)
  // Presentation attributes set the look wherever the SVG lands; a page's own CSS may still override them.
  return `<figure><svg data-chart="${id}" viewBox="0 0 ${CHART_WIDTH} ${h}" style="display:block;width:100%;height:auto;max-width:${CHART_MAX_WIDTH}px" font-family="system-ui, sans-serif" font-size="11" fill="#445" role="img" aria-label="${escapeHtml(title)}"><text x="10" y="22" class="title" font-size="14" font-weight="600" fill="#1d2330">${escapeHtml(title)}</text>${parts.join('')}</svg></figure>`
}

function legend(series: readonly Series[], left: number, y: number): string[] {
  let x = left
  return series.flatMap((s) => {
    const item = [
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 16}" y="${y}" class="label">${escapeHtml(s.name)}</text>`,
    ]
    x += 28 + textWidth(s.name)
    return item
  })
}

/** The text, cut with an ellipsis to fit `width`; escaped, with the whole text as its tooltip when cut. */
function fitText(text: string, width: number): string {
  const chars = Math.max(1, Math.floor(width / textWidth('x')))
  if (text.length <= chars) return escapeHtml(text)
  return `${escapeHtml(`${text.slice(0, chars - 1)}…`)}<title>${escapeHtml(text)}</title>`
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

export function format(value: number): string {
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  )
}
