// `punie dataset stats`: figures over a dataset, gathered one example at a time in constant memory (token
// lengths go into an exact histogram, not a list). Pure: the command feeds it and renders the result.
import { basename } from 'node:path'
import { type Example, isDirectAnswer } from './example.js'
import { exampleTokens } from './tokens.js'

/** The roadmap found about 30% direct answers (no tool call) mattered for tool-calling fine-tunes. */
export const DIRECT_ANSWER_TARGET = 0.3
/** How far from the target the share may be before stats points it out. */
export const DIRECT_ANSWER_TOLERANCE = 0.15

// Exact up to this many tokens; longer examples share the last bucket (their maximum is still exact).
const HISTOGRAM_SIZE = 1 << 18

export type ToolMode = 'direct' | 'code' | 'none'

export interface DatasetStats {
  examples: number
  invalid: number
  bytes: number
  perFile: { file: string; split: string; examples: number }[]
  messages: { total: number; byRole: Record<string, number>; perExampleMean: number }
  tokens: { total: number; mean: number; p50: number; p95: number; max: number }
  /** Tool name → calls, and examples calling it. */
  tools: { name: string; calls: number; examples: number }[]
  directAnswers: { count: number; share: number; target: number; farFromTarget: boolean }
  toolModes: Record<ToolMode, number>
  categories: Record<string, number>
  outcomes: Record<string, number>
  /** Token length distribution in a few ranges, for the charts. */
  tokenRanges: { range: string; examples: number }[]
}

/** The split a file holds, from its name: train.jsonl → train. */
export function splitOfFile(file: string): string {
  const name = basename(file).replace(/\.jsonl?$/i, '')
  const known = ['train', 'valid', 'validation', 'val', 'dev', 'test', 'eval']
  return (
    known.find(
      (k) => name === k || name.endsWith(`-${k}`) || name.endsWith(`_${k}`) || name.endsWith(`.${k}`),
    ) ?? name
  )
}

/** How the example uses tools: a metadata label wins, else execute_code means code, any other call direct. */
export function toolModeOf(example: Example): ToolMode {
  if (example.metadata?.toolMode) return example.metadata.toolMode
  let mode: ToolMode = 'none'
  for (const m of example.messages)
    if (m.role === 'assistant')
      for (const c of m.tool_calls ?? []) {
        if (c.function.name === 'execute_code') return 'code'
        mode = 'direct'
      }
  return mode
}

export class StatsAccumulator {
  private examples = 0
  private invalid = 0
  private bytes = 0
  private readonly files = new Map<string, number>()
  private messages = 0
  private readonly roles: Record<string, number> = {}
  private readonly histogram = new Uint32Array(HISTOGRAM_SIZE)
  private tokenTotal = 0
  private tokenMax = 0
  private readonly tools = new Map<string, { calls: number; examples: number }>()
  private direct = 0
  private readonly modes: Record<ToolMode, number> = { direct: 0, code: 0, none: 0 }
  private readonly categories: Record<string, number> = {}
  private readonly outcomes: Record<string, number> = {}

  addInvalid(file: string, bytes: number): void {
    this.invalid++
    this.bytes += bytes
    this.files.set(file, this.files.get(file) ?? 0)
  }

  add(example: Example, file: string, bytes: number): void {
    this.examples++
    this.bytes += bytes
    this.files.set(file, (this.files.get(file) ?? 0) + 1)
    this.messages += example.messages.length
    const called = new Set<string>()
    for (const m of example.messages) {
      this.roles[m.role] = (this.roles[m.role] ?? 0) + 1
      if (m.role !== 'assistant') continue
      for (const c of m.tool_calls ?? []) {
        const entry = this.tools.get(c.function.name) ?? { calls: 0, examples: 0 }
        entry.calls++
        if (!called.has(c.function.name)) entry.examples++
        called.add(c.function.name)
        this.tools.set(c.function.name, entry)
      }
    }
    const tokens = exampleTokens(example)
    this.tokenTotal += tokens
    this.tokenMax = Math.max(this.tokenMax, tokens)
    const bucket = Math.min(tokens, HISTOGRAM_SIZE - 1)
    this.histogram[bucket] = (this.histogram[bucket] ?? 0) + 1
    if (isDirectAnswer(example)) this.direct++
    this.modes[toolModeOf(example)]++
    const category = example.metadata?.category ?? '(none)'
    this.categories[category] = (this.categories[category] ?? 0) + 1
    const outcome = example.metadata?.outcome ?? '(none)'
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1
  }

  result(): DatasetStats {
    const n = this.examples
    const share = n ? this.direct / n : 0
    return {
      examples: n,
      invalid: this.invalid,
      bytes: this.bytes,
      perFile: [...this.files].map(([file, examples]) => ({ file, split: splitOfFile(file), examples })),
      messages: {
        total: this.messages,
        byRole: { ...this.roles },
        perExampleMean: n ? this.messages / n : 0,
      },
      tokens: {
        total: this.tokenTotal,
        mean: n ? this.tokenTotal / n : 0,
        p50: this.quantile(0.5),
        p95: this.quantile(0.95),
        max: this.tokenMax,
      },
      tools: [...this.tools]
        .map(([name, t]) => ({ name, ...t }))
        .sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name)),
      directAnswers: {
        count: this.direct,
        share,
        target: DIRECT_ANSWER_TARGET,
        farFromTarget: n > 0 && Math.abs(share - DIRECT_ANSWER_TARGET) > DIRECT_ANSWER_TOLERANCE,
      },
      toolModes: { ...this.modes },
      categories: sortedCounts(this.categories),
      outcomes: sortedCounts(this.outcomes),
      tokenRanges: this.ranges(),
    }
  }

  /** The nearest-rank quantile: the smallest length at least a share q of the examples do not exceed. */
  private quantile(q: number): number {
    if (this.examples === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.examples))
    let seen = 0
    for (let t = 0; t < HISTOGRAM_SIZE; t++) {
      seen += this.histogram[t] ?? 0
      if (seen >= rank) return t === HISTOGRAM_SIZE - 1 ? this.tokenMax : t
    }
    return this.tokenMax
  }

  private ranges(): { range: string; examples: number }[] {
    const edges = [0, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768]
    const out: { range: string; examples: number }[] = []
    for (let i = 0; i < edges.length; i++) {
      const from = edges[i] as number
      const to = i + 1 < edges.length ? (edges[i + 1] as number) : HISTOGRAM_SIZE
      let count = 0
      for (let t = from; t < to; t++) count += this.histogram[t] ?? 0
      if (count || from < this.tokenMax)
        out.push({ range: i + 1 < edges.length ? `${from}–${to - 1}` : `${from}+`, examples: count })
    }
    while (out.length > 1 && out.at(-1)?.examples === 0) out.pop()
    return out
  }
}

function sortedCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

/** The terminal table. */
export function statsText(s: DatasetStats): string {
  const rows: [string, string][] = [
    ['examples', `${s.examples}${s.invalid ? ` (+ ${s.invalid} invalid lines skipped)` : ''}`],
  ]
  for (const f of s.perFile) rows.push([`  ${f.file}`, `${f.examples} (${f.split})`])
  rows.push(
    ['messages', `${s.messages.total} (${s.messages.perExampleMean.toFixed(1)} per example)`],
    [
      '  by role',
      Object.entries(s.messages.byRole)
        .map(([r, n]) => `${r} ${n}`)
        .join(', '),
    ],
    [
      'tokens (estimated)',
      `p50 ${s.tokens.p50}, p95 ${s.tokens.p95}, max ${s.tokens.max}, total ${s.tokens.total}`,
    ],
    [
      'direct answers',
      `${s.directAnswers.count} (${pct(s.directAnswers.share)})${s.directAnswers.farFromTarget ? `  ⚠ far from the ~${pct(s.directAnswers.target)} that mattered` : ''}`,
    ],
    [
      'tool mode',
      `direct ${s.toolModes.direct} (${pct(s.toolModes.direct / (s.examples || 1))}), code ${s.toolModes.code} (${pct(s.toolModes.code / (s.examples || 1))}), none ${s.toolModes.none}`,
    ],
  )
  const width = Math.max(...rows.map((r) => r[0].length))
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)
  const section = (title: string, entries: [string, number][]) => {
    if (!entries.length) return
    lines.push('', title)
    const w = Math.max(...entries.map((e) => e[0].length))
    for (const [name, n] of entries) lines.push(`  ${name.padEnd(w)}  ${n}`)
  }
  lines.push('', 'tools used (calls, examples)')
  if (s.tools.length) {
    const w = Math.max(...s.tools.map((t) => t.name.length))
    for (const t of s.tools)
      lines.push(`  ${t.name.padEnd(w)}  ${String(t.calls).padStart(7)}  ${t.examples}`)
  } else lines.push('  (none)')
  section('categories', Object.entries(s.categories))
  section('outcomes', Object.entries(s.outcomes))
  return lines.join('\n')
}
