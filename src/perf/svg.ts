// Small inline-SVG charts for standalone reports: no script, no CDN. Pure string builders.
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
  stacked?: boolean
  /** Side-by-side bars only: print each bar's value after it, not only the longest bar's in a row. */
  labelEach?: boolean
  /** How a value reads in labels and tooltips (default: `format` and the unit). */
  formatValue?: (value: number) => string
}

const WIDTH = 720
// The right margin leaves room for the value printed after the longest bar.
const BAR_AREA = { left: 150, right: 90, top: 36, rowHeight: 22 }

export function barChart(o: BarChartOptions): string {
  const rows = o.categories.length
  const height =
    BAR_AREA.top + rows * BAR_AREA.rowHeight * (o.stacked ? 1 : Math.max(1, o.series.length) * 0.7 + 0.3) + 40
  const totals = o.categories.map((_, i) =>
    o.stacked
      ? o.series.reduce((s, x) => s + (x.values[i] ?? 0), 0)
      : Math.max(...o.series.map((x) => x.values[i] ?? 0)),
  )
  const max = Math.max(1e-9, ...totals)
  const plotWidth = WIDTH - BAR_AREA.left - BAR_AREA.right
  const scale = (v: number) => (v / max) * plotWidth
  const show = o.formatValue ?? ((v: number) => `${format(v)} ${o.unit}`)
  const eachBar = o.labelEach === true && !o.stacked
  const parts: string[] = []
  let y = BAR_AREA.top
  o.categories.forEach((category, i) => {
    const rowHeight = o.stacked ? BAR_AREA.rowHeight : BAR_AREA.rowHeight * (o.series.length * 0.7 + 0.3)
    parts.push(
      `<text x="${BAR_AREA.left - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end" class="label">${escapeHtml(category)}</text>`,
    )
    let x = BAR_AREA.left
    o.series.forEach((series, s) => {
      const value = series.values[i] ?? 0
      const width = Math.max(value > 0 ? 1 : 0, scale(value))
      const barY = o.stacked ? y + 3 : y + 2 + s * BAR_AREA.rowHeight * 0.7
      const barHeight = o.stacked ? BAR_AREA.rowHeight - 6 : BAR_AREA.rowHeight * 0.7 - 3
      parts.push(
        `<rect x="${o.stacked ? x : BAR_AREA.left}" y="${barY}" width="${width.toFixed(1)}" height="${barHeight}" fill="${series.color}"><title>${escapeHtml(`${category} · ${series.name}: ${show(value)}`)}</title></rect>`,
      )
      if (eachBar) {
        parts.push(
          `<text x="${(BAR_AREA.left + width + 4).toFixed(1)}" y="${(barY + barHeight / 2 + 4).toFixed(1)}" class="value" data-series="${escapeHtml(series.name)}">${escapeHtml(show(value))}</text>`,
        )
      }
      if (o.stacked) x += width
    })
    if (!eachBar && (!o.stacked || totals[i])) {
      const end = o.stacked ? BAR_AREA.left + scale(totals[i] ?? 0) : BAR_AREA.left + scale(totals[i] ?? 0)
      parts.push(
        `<text x="${end + 4}" y="${y + rowHeight / 2 + 4}" class="value">${escapeHtml(show(totals[i] ?? 0))}</text>`,
      )
    }
    y += rowHeight
  })
  return chart(o.id, o.title, height, [...legend(o.series, y + 16), ...parts])
}

export interface LineChartOptions {
  id: string
  title: string
  points: readonly { label: string; value: number }[]
  unit: string
  color: string
}

export function lineChart(o: LineChartOptions): string {
  const height = 260
  const plot = { left: 60, right: 20, top: 36, bottom: 50 }
  const max = Math.max(1e-9, ...o.points.map((p) => p.value))
  const step = o.points.length > 1 ? (WIDTH - plot.left - plot.right) / (o.points.length - 1) : 0
  const xy = o.points.map((p, i) => ({
    x: plot.left + i * step,
    y: height - plot.bottom - (p.value / max) * (height - plot.top - plot.bottom),
    ...p,
  }))
  const path = xy.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
  const parts = [
    `<line x1="${plot.left}" y1="${height - plot.bottom}" x2="${WIDTH - plot.right}" y2="${height - plot.bottom}" class="axis"/>`,
    `<text x="${plot.left - 6}" y="${plot.top + 4}" text-anchor="end" class="value">${format(max)} ${o.unit}</text>`,
    `<path d="${path}" fill="none" stroke="${o.color}" stroke-width="2"/>`,
    ...xy.map(
      (p) =>
        `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="4" fill="${o.color}"><title>${escapeHtml(`${p.label}: ${format(p.value)} ${o.unit}`)}</title></circle>`,
    ),
    ...xy.map(
      (p) =>
        `<text x="${p.x.toFixed(1)}" y="${height - plot.bottom + 18}" text-anchor="middle" class="label">${escapeHtml(p.label)}</text>`,
    ),
  ]
  return chart(o.id, o.title, height, parts)
}

function chart(id: string, title: string, height: number, parts: string[]): string {
  return `<figure><svg data-chart="${id}" viewBox="0 0 ${WIDTH} ${Math.ceil(height)}" width="${WIDTH}" height="${Math.ceil(height)}" role="img" aria-label="${escapeHtml(title)}"><text x="10" y="22" class="title">${escapeHtml(title)}</text>${parts.join('')}</svg></figure>`
}

function legend(series: readonly Series[], y: number): string[] {
  let x = BAR_AREA.left
  return series.flatMap((s) => {
    const item = [
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 16}" y="${y}" class="label">${escapeHtml(s.name)}</text>`,
    ]
    x += 24 + s.name.length * 7
    return item
  })
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
