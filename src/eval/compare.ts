// Comparing runs: only runs of the same suites (same names, same file contents) compare, and only on the cases
// both ran; the rest are named, never silently counted as losses or wins.
import { type EvalRun, outcomesOf, pct, pctInterval } from './report.js'
import type { CaseResult } from './runner.js'
import { compareAggregates, type Delta, runFigures } from './stats.js'

export interface RunSide {
  run: EvalRun
  results: readonly CaseResult[]
}

export interface Comparison {
  baseline: string
  against: string
  /** Cases both runs have results for: the only ones the figures are computed on. */
  shared: number
  onlyInBaseline: string[]
  onlyInOther: string[]
  /** How the two runs' suites differ; empty when they ran the same suites. */
  suiteDifferences: string[]
  deltas: Delta[]
  /** Shared cases that passed every attempt in the baseline and not in the other run. */
  regressedCases: string[]
  fixedCases: string[]
}

const keyOf = (r: CaseResult) => `${r.suite}/${r.caseId}`

/** The suites a run ran: from its record (names and file hashes), or, for older runs, from its results. */
function suitesOf(side: RunSide): Map<string, string | undefined> {
  const recorded = side.run.config.suiteInfo
  if (recorded?.length) return new Map(recorded.map((s) => [s.name, s.hash]))
  return new Map(side.results.map((r) => [r.suite, undefined]))
}

/** What makes two runs' scores incomparable: a suite only one ran, or a suite whose file changed in between. */
export function suiteDifferences(a: RunSide, b: RunSide): string[] {
  const sa = suitesOf(a)
  const sb = suitesOf(b)
  const onlyA = [...sa.keys()].filter((n) => !sb.has(n))
  const onlyB = [...sb.keys()].filter((n) => !sa.has(n))
  const lines: string[] = []
  if (onlyA.length || onlyB.length) {
    lines.push(
      `suites: ${a.run.id} ran ${[...sa.keys()].join(', ') || 'nothing'}; ${b.run.id} ran ${[...sb.keys()].join(', ') || 'nothing'}`,
    )
  }
  for (const [name, hash] of sa) {
    const other = sb.get(name)
    if (hash && other && hash !== other) {
      lines.push(`suite ${name} changed between the runs (file ${hash.slice(0, 8)} → ${other.slice(0, 8)})`)
    }
  }
  return lines
}

export function compareRuns(base: RunSide, other: RunSide): Comparison {
  const baseKeys = new Set(base.results.map(keyOf))
  const otherKeys = new Set(other.results.map(keyOf))
  const shared = new Set([...baseKeys].filter((k) => otherKeys.has(k)))
  const a = base.results.filter((r) => shared.has(keyOf(r)))
  const b = other.results.filter((r) => shared.has(keyOf(r)))
  const fa = runFigures(outcomesOf(a))
  const fb = runFigures(outcomesOf(b))
  const categories = [...new Set([...Object.keys(fa.byCategory), ...Object.keys(fb.byCategory)])].sort()
  const deltas = [
    compareAggregates('overall', fa.overall, fb.overall),
    ...categories.flatMap((c) => {
      const x = fa.byCategory[c]
      const y = fb.byCategory[c]
      return x && y ? [compareAggregates(c, x, y)] : []
    }),
  ]
  const before = allPassed(a)
  const after = allPassed(b)
  return {
    baseline: base.run.id,
    against: other.run.id,
    shared: shared.size,
    onlyInBaseline: [...baseKeys].filter((k) => !shared.has(k)).sort(),
    onlyInOther: [...otherKeys].filter((k) => !shared.has(k)).sort(),
    suiteDifferences: suiteDifferences(base, other),
    deltas,
    regressedCases: [...before].filter((k) => !after.has(k)).sort(),
    fixedCases: [...after].filter((k) => !before.has(k)).sort(),
  }
}

function allPassed(results: readonly CaseResult[]): Set<string> {
  const failed = new Set(results.filter((r) => !r.passed).map(keyOf))
  return new Set(results.map(keyOf).filter((k) => !failed.has(k)))
}

function names(list: readonly string[], cap = 20): string {
  return list.length > cap
    ? `${list.slice(0, cap).join(', ')} … and ${list.length - cap} more`
    : list.join(', ')
}

export function comparisonText(c: Comparison, color: boolean): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s)
  const green = (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s)
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s)
  const width = Math.max(8, ...c.deltas.map((d) => d.name.length))
  const lines = [
    `${c.against} against ${c.baseline} (pass@1 on the ${c.shared} cases both ran, 95% Wilson intervals)`,
  ]
  for (const d of c.suiteDifferences) lines.push(yellow(`warning: ${d}`))
  lines.push(`${'category'.padEnd(width)}  ${'before'.padEnd(21)}  ${'after'.padEnd(21)}  delta    verdict`)
  for (const d of c.deltas) {
    const sign = d.delta > 0 ? '+' : ''
    const verdict =
      d.verdict === 'worse'
        ? red('REGRESSION')
        : d.verdict === 'better'
          ? green('improved')
          : d.verdict === 'within noise'
            ? `within noise (z ${d.z.toFixed(2)}, ${d.beforeAttempts} vs ${d.afterAttempts} attempts)`
            : 'same'
    const side = (p: number, i: readonly [number, number]) =>
      `${pct(p).padStart(6)} [${pctInterval(i)}]`.padEnd(21)
    const line = `${d.name.padEnd(width)}  ${side(d.before, d.beforeInterval)}  ${side(d.after, d.afterInterval)}  ${(sign + (d.delta * 100).toFixed(1)).padStart(6)}   ${verdict}`
    lines.push(d.verdict === 'worse' ? red(line) : line)
  }
  if (c.regressedCases.length) lines.push('', red(`regressed cases: ${names(c.regressedCases)}`))
  if (c.fixedCases.length) lines.push('', green(`fixed cases: ${names(c.fixedCases)}`))
  if (c.onlyInBaseline.length || c.onlyInOther.length) lines.push('', 'not compared:')
  if (c.onlyInBaseline.length)
    lines.push(`  only in ${c.baseline} (${c.onlyInBaseline.length}): ${names(c.onlyInBaseline)}`)
  if (c.onlyInOther.length)
    lines.push(`  only in ${c.against} (${c.onlyInOther.length}): ${names(c.onlyInOther)}`)
  return lines.join('\n')
}
