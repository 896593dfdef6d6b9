import { describe, expect, it } from 'vitest'
import { summaryText } from '../../src/cli/perf-command.js'
import { axisLabels, textWidth, timeFormatFor } from '../../src/perf/axis.js'
import { perfCharts } from '../../src/perf/charts.js'
import { PerfCollector, tokensPerSecond } from '../../src/perf/collector.js'
import { computeFigures, headlineRows } from '../../src/perf/figures.js'
import { barChart, CHART_WIDTH, timeChart } from '../../src/perf/svg.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'

interface Element {
  attrs: Record<string, string>
  text: string
}

/** The chart's `<tag>` elements with their attributes and their own text (a nested tooltip left out). */
function elements(svg: string, tag: string): Element[] {
  const pattern = new RegExp(`<${tag}\\s([^>]*?)/?>(?:([^<]*)(?:<title>[^<]*</title>)?</${tag}>)?`, 'g')
  return [...svg.matchAll(pattern)].map((m) => ({
    attrs: Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
    text: m[2] ?? '',
  }))
}
const barsWithTooltip = (svg: string) =>
  [...svg.matchAll(/<rect ([^>]*)><title>([^<]*)<\/title><\/rect>/g)].map((m) => m[2] ?? '')
const svgTag = (svg: string) => /<svg [^>]*>/.exec(svg)?.[0] ?? ''
const classes = (e: Element) => (e.attrs.class ?? '').split(' ')
const viewBoxWidth = (svg: string) => Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1])

/** Where a label's text starts and ends along x, from its anchor. */
function extent(e: Element): { left: number; right: number } {
  const x = Number(e.attrs.x)
  const w = textWidth(e.text)
  if (e.attrs['text-anchor'] === 'end') return { left: x - w, right: x }
  if (e.attrs['text-anchor'] === 'middle') return { left: x - w / 2, right: x + w / 2 }
  return { left: x, right: x + w }
}

const DAY = 86_400_000
const T0 = Date.UTC(2026, 11, 1, 13, 32, 5)

let seq = 0
function sessionEvents(
  sessionId: string,
  at: number,
  turns: number,
  model: { durationMs: number; firstTokenMs: number; completionTokens: number },
): AgentEvent[] {
  const ev = (t: number, body: AgentEventBody) => ({ ...body, sessionId, seq: ++seq, at: t }) as AgentEvent
  return Array.from({ length: turns }, (_, i) => {
    const turnId = `t${i}`
    const start = at + i * 1000
    return [
      ev(start, { type: 'turn.start', turnId, prompt: [] }),
      ev(start + 1, { type: 'model.start', turnId, request: 1, model: 'm', baseURL: 'u' }),
      ev(start + 2, {
        type: 'model.end',
        turnId,
        request: 1,
        ok: true,
        ...model,
        usage: { promptTokens: 900, completionTokens: model.completionTokens, totalTokens: 1000 },
      }),
      ev(start + 3, {
        type: 'tool.start',
        turnId,
        toolCallId: `c${i}`,
        name: i % 2 ? 'grep' : 'read_file',
        kind: 'read',
        title: 't',
        locations: [],
        input: {},
        content: [],
        backend: i % 2 ? 'ide' : 'local',
      }),
      ev(start + 4, {
        type: 'tool.end',
        turnId,
        toolCallId: `c${i}`,
        name: i % 2 ? 'grep' : 'read_file',
        status: 'completed',
        durationMs: 10 + i * 7,
      }),
      ev(start + 5, { type: 'turn.end', turnId, stopReason: 'end_turn', durationMs: 600 + i * 50 }),
    ]
  }).flat()
}
const slow = { durationMs: 500, firstTokenMs: 100, completionTokens: 41 }
const instant = { durationMs: 300.5, firstTokenMs: 300, completionTokens: 380 }

describe('perf charts', () => {
  const figures = computeFigures(
    PerfCollector.from([...sessionEvents('a', T0, 4, slow), ...sessionEvents('b', T0 + 20_000, 2, slow)]),
  )
  const charts = Object.fromEntries(
    perfCharts(figures).map((svg) => [/data-chart="([^"]+)"/.exec(svg)?.[1] ?? '', svg]),
  )

  it('scale to their container: a viewBox, width 100% with a maximum, no fixed pixel size', () => {
    expect(Object.keys(charts)).toEqual([
      'turn-timeline',
      'tool-latency',
      'backend-latency',
      'tokens-per-turn',
      'session-trend',
    ])
    for (const svg of Object.values(charts)) {
      const tag = svgTag(svg)
      expect(tag).toMatch(/viewBox="0 0 960 \d+"/)
      expect(tag).toMatch(/style="[^"]*width:100%[^"]*max-width:1200px/)
      expect(tag).not.toMatch(/\s(width|height)="/)
    }
  })

  it('print the value of every latency bar, p50 and p95 alike', () => {
    for (const id of ['tool-latency', 'backend-latency']) {
      const svg = charts[id] ?? ''
      const tooltips = barsWithTooltip(svg)
      const values = elements(svg, 'text').filter((t) => classes(t).includes('value'))
      // Two tools (and two backends), each with a p50 and a p95 bar.
      expect(tooltips, id).toHaveLength(4)
      expect(values.map((v) => v.text)).toEqual(tooltips.map((t) => t.split(': ')[1]))
      expect(values.map((v) => v.attrs['data-series'])).toEqual(['p50', 'p95', 'p50', 'p95'])
    }
  })

  it('keep value labels apart: each below the last by a line, and inside the chart', () => {
    const svg = barChart({
      id: 'x',
      title: 'x',
      categories: ['a', 'a much longer tool name than fits in the margin at all, surely', 'c'],
      series: [
        { name: 'p50', color: '#000', values: [1, 2000, 0] },
        { name: 'p95', color: '#111', values: [3, 123456, 0] },
      ],
      unit: 'ms',
    })
    const values = elements(svg, 'text').filter((t) => classes(t).includes('value'))
    expect(values).toHaveLength(6)
    values.forEach((label, i) => {
      if (i) expect(Number(label.attrs.y) - Number(values[i - 1]?.attrs.y)).toBeGreaterThanOrEqual(11 + 2)
      expect(extent(label).right).toBeLessThanOrEqual(CHART_WIDTH)
    })
    // The long category is cut to its margin, its whole name kept as a tooltip.
    const categories = elements(svg, 'text').filter(
      (t) => classes(t).includes('label') && t.attrs['text-anchor'] === 'end',
    )
    expect(categories[1]?.text).toMatch(/…$/)
    expect(extent(categories[1] as Element).left).toBeGreaterThanOrEqual(0)
    expect(svg).toContain('<title>a much longer tool name than fits in the margin at all, surely</title>')
  })

  it('label the total of every row of the per-turn split, a zero row too', () => {
    const svg = charts['turn-timeline'] ?? ''
    const totals = elements(svg, 'text').filter((t) => classes(t).includes('total'))
    expect(totals.map((t) => t.text)).toEqual(figures.recentTurns.map((t) => `${t.totalMs.toFixed(0)} ms`))
    const zero = barChart({
      id: 'z',
      title: 'z',
      categories: ['idle'],
      series: [{ name: 'model', color: '#000', values: [0] }],
      unit: 'ms',
      stacked: true,
    })
    expect(elements(zero, 'text').filter((t) => classes(t).includes('total'))[0]?.text).toBe('0.00 ms')
  })

  it('say so when there is nothing to draw', () => {
    const svg = barChart({
      id: 'e',
      title: 'e',
      categories: [],
      series: [],
      unit: 'ms',
      empty: 'no tool calls',
    })
    expect(svg).toContain('>no tool calls</text>')
    expect(barsWithTooltip(svg)).toEqual([])
  })
})

describe('the session trend', () => {
  const trend = (ats: readonly number[]) =>
    timeChart({
      id: 'trend',
      title: 't',
      points: ats.map((at, i) => ({ at, value: 100 + i })),
      unit: 'ms',
      color: '#000',
    })
  const ticks = (svg: string) => elements(svg, 'text').filter((t) => classes(t).includes('tick'))

  it('never prints the same time label twice in a row', () => {
    // Sessions seconds apart, as in a busy afternoon: the old "MM-DD HH:MM" label read the same for each.
    const svg = trend([T0, T0 + 15_000, T0 + 30_000, T0 + 31_000, T0 + 31_400])
    const labels = ticks(svg).map((t) => t.text)
    expect(labels[0]).toBe('13:32:05')
    for (let i = 1; i < labels.length; i++) expect(labels[i]).not.toBe(labels[i - 1])
    expect(svg).toContain('time (UTC) on 2026-12-01')
  })

  it('spans days with the date in each label, thinned so that no two overlap, the last kept inside', () => {
    const ats = Array.from({ length: 40 }, (_, i) => T0 + i * 0.1 * DAY)
    const svg = trend(ats)
    const labels = ticks(svg)
    expect(labels.length).toBeGreaterThan(3)
    expect(labels.length).toBeLessThanOrEqual(39)
    expect(labels[0]?.text).toBe('12-01 13:32')
    expect(labels.at(-1)?.text).toBe(
      new Date(ats.at(-1) as number).toISOString().slice(5, 16).replace('T', ' '),
    )
    for (let i = 1; i < labels.length; i++)
      expect(extent(labels[i - 1] as Element).right).toBeLessThanOrEqual(extent(labels[i] as Element).left)
    const width = viewBoxWidth(svg)
    expect(extent(labels[0] as Element).left).toBeGreaterThanOrEqual(0)
    expect(labels.at(-1)?.attrs['text-anchor']).toBe('end')
    expect(extent(labels.at(-1) as Element).right).toBeLessThanOrEqual(width)
  })

  it('places one point in the middle, and says so when there are none', () => {
    const one = trend([T0])
    const circles = elements(one, 'circle')
    expect(circles).toHaveLength(1)
    expect(Number(circles[0]?.attrs.cx)).toBeCloseTo((70 + 12 + CHART_WIDTH - 24 - 12) / 2, 0)
    expect(ticks(one).map((t) => [t.text, t.attrs['text-anchor']])).toEqual([['13:32:05', 'middle']])
    const none = trend([])
    expect(elements(none, 'circle')).toEqual([])
    expect(none).not.toContain('<path')
    expect(none).toContain('>nothing recorded</text>')
  })

  it('labels across years by date', () => {
    expect(timeFormatFor([Date.UTC(2025, 11, 31), Date.UTC(2026, 0, 2)]).label(Date.UTC(2026, 0, 2))).toBe(
      '2026-01-02',
    )
  })
})

describe('axis labels', () => {
  it('keep the last label, dropping those before it that it would overlap, but never the first', () => {
    const candidates = [0, 30, 60, 90, 95].map((x) => ({ x: 100 + x * 5, text: `t${x}` }))
    const kept = axisLabels(candidates, { min: 0, max: 700 })
    expect(kept.map((k) => k.text)).toEqual(['t0', 't30', 't60', 't95'])
    const crowded = axisLabels(
      [
        { x: 10, text: 'first' },
        { x: 20, text: 'last' },
      ],
      { min: 0, max: 700 },
    )
    expect(crowded.map((k) => [k.text, k.anchor])).toEqual([['first', 'start']])
  })
})

describe('generation speed', () => {
  it('is undefined for an instant answer, and a real figure for one that streamed', () => {
    // 380 tokens half a millisecond after the first: delivery, not generation (it read as 760,000 tokens/s).
    expect(tokensPerSecond(380, 0.5)).toBeUndefined()
    expect(tokensPerSecond(380, 49)).toBeUndefined()
    // Two tokens: one interval, a latency rather than a speed.
    expect(tokensPerSecond(2, 400)).toBeUndefined()
    expect(tokensPerSecond(41, 400)).toBe(100)
    expect(tokensPerSecond(41, undefined)).toBeUndefined()
  })

  it('reads n/a in the summary, the report rows and as an absent JSON field when nothing could be timed', () => {
    const figures = computeFigures(PerfCollector.from(sessionEvents('s', T0, 2, instant)))
    expect(figures.modelRequests).toBe(2)
    expect(figures.tokensPerSecondRequests).toBe(0)
    expect(JSON.parse(JSON.stringify(figures))).not.toHaveProperty('tokensPerSecondP50')
    const row = headlineRows(figures).find(([label]) => label.startsWith('generation speed'))
    expect(row?.[1]).toMatch(/^n\/a\b/)
    expect(summaryText(figures, 'test')).toMatch(/generation speed p50 \/ p95\s+n\/a/)
    expect(summaryText(figures, 'test')).not.toMatch(/tokens\/s/)
  })

  it('shows p50 and p95 over the requests that could be timed', () => {
    const fast = { durationMs: 300, firstTokenMs: 100, completionTokens: 61 }
    const events = [
      ...sessionEvents('a', T0, 2, slow),
      ...sessionEvents('b', T0 + 10_000, 1, fast),
      ...sessionEvents('c', T0 + 20_000, 1, instant),
    ]
    const figures = computeFigures(PerfCollector.from(events))
    // 40 tokens in 400 ms (twice) and 60 in 200 ms: 100, 100 and 300 tokens/s; the instant one is left out.
    expect(figures).toMatchObject({
      tokensPerSecondP50: 100,
      tokensPerSecondP95: 280,
      tokensPerSecondRequests: 3,
    })
    expect(headlineRows(figures)).toContainEqual([
      'generation speed p50 / p95',
      '100 / 280 tokens/s (3 of 4 requests timed)',
    ])
  })
})
