// Axis labels for the inline-SVG charts: a time format that fits the range, and labels thinned and anchored so
// that none overlaps another, none repeats its neighbour and none is cut at the chart's edge. Pure.

/** A label's estimated width: chart text is 11 units high, and 0.6 em covers digits and most letters. */
export function textWidth(text: string, fontSize = 11): number {
  return text.length * fontSize * 0.6
}

export interface TimeFormat {
  label(at: number): string
  /** What the labels leave out, said once under the axis (the day, when every point falls in it). */
  caption: string
}

/**
 * The format for timestamps `ats`, all in UTC (the reports print ISO times): the time of day when they fall in
 * one day, the date and time when they span days, the date alone when they span years.
 */
export function timeFormatFor(ats: readonly number[]): TimeFormat {
  const iso = (at: number) => new Date(at).toISOString()
  if (ats.length === 0) return { label: (at) => iso(at).slice(11, 19), caption: 'time (UTC)' }
  const first = Math.min(...ats)
  const last = Math.max(...ats)
  const day = iso(first).slice(0, 10)
  if (iso(last).slice(0, 10) === day)
    return { label: (at) => iso(at).slice(11, 19), caption: `time (UTC) on ${day}` }
  if (iso(last).slice(0, 4) === iso(first).slice(0, 4))
    return { label: (at) => iso(at).slice(5, 16).replace('T', ' '), caption: 'date and time (UTC)' }
  return { label: (at) => iso(at).slice(0, 10), caption: 'date (UTC)' }
}

export interface AxisLabel {
  x: number
  text: string
  anchor: 'start' | 'middle' | 'end'
}

/**
 * Which of `candidates` (in order along the axis) to print, and how to anchor each so that it lies within
 * [min, max]: the first is kept, then each that neither repeats the last kept text nor comes within `gap` of it;
 * the last candidate is kept in preference to those before it that it would overlap.
 */
export function axisLabels(
  candidates: readonly { x: number; text: string }[],
  bounds: { min: number; max: number; gap?: number; fontSize?: number },
): AxisLabel[] {
  const gap = bounds.gap ?? 10
  const placed = candidates.map((c) => place(c, bounds.min, bounds.max, bounds.fontSize))
  const kept: Placed[] = []
  const fits = (a: Placed, b: Placed) => a.right + gap <= b.left
  placed.forEach((label, i) => {
    const previous = kept.at(-1)
    if (previous && previous.text === label.text) return
    if (!previous || fits(previous, label)) {
      kept.push(label)
      return
    }
    if (i !== placed.length - 1) return
    // The last one matters more than those it overlaps, but not more than the first.
    while (kept.length > 1 && !fits(kept.at(-1) as Placed, label)) kept.pop()
    const before = kept.at(-1) as Placed
    if (fits(before, label) && before.text !== label.text) kept.push(label)
  })
  return kept.map(({ x, text, anchor }) => ({ x, text, anchor }))
}

interface Placed extends AxisLabel {
  left: number
  right: number
}

function place(c: { x: number; text: string }, min: number, max: number, fontSize?: number): Placed {
  const width = textWidth(c.text, fontSize)
  if (c.x - width / 2 < min) return { ...c, anchor: 'start', left: c.x, right: c.x + width }
  if (c.x + width / 2 > max) return { ...c, anchor: 'end', left: c.x - width, right: c.x }
  return { ...c, anchor: 'middle', left: c.x - width / 2, right: c.x + width / 2 }
}
