// Reading a run back: a terminal summary, a standalone HTML report, and the comparison of runs.
import { barChart, escapeHtml } from '../perf/svg.js'
import type { EvalRunRecord } from '../store/eval-store.js'
import type { CaseResult, RunConfig } from './runner.js'
import { type Aggregate, type AttemptOutcome, compareAggregates, type Delta, runFigures } from './stats.js'

export type EvalRun = EvalRunRecord<RunConfig>

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

export function outcomesOf(results: readonly CaseResult[]): AttemptOutcome[] {
  return results.map((r) => ({
    caseKey: `${r.suite}/${r.caseId}`,
    category: `${r.suite}/${r.category}`,
    score: r.score,
    passed: r.passed,
  }))
}

interface CaseSummary {
  key: string
  category: string
  attempts: CaseResult[]
  passes: number
  meanScore: number
}

export function caseSummaries(results: readonly CaseResult[]): CaseSummary[] {
  const byCase = new Map<string, CaseResult[]>()
  for (const r of results)
    byCase.set(`${r.suite}/${r.caseId}`, [...(byCase.get(`${r.suite}/${r.caseId}`) ?? []), r])
  return [...byCase].map(([key, attempts]) => ({
    key,
    category: attempts[0]?.category ?? '',
    attempts,
    passes: attempts.filter((a) => a.passed).length,
    meanScore: attempts.reduce((s, a) => s + a.score, 0) / attempts.length,
  }))
}

/** Why an attempt fell short, in one line: its error, or its weakest scorer. */
export function shortfall(result: CaseResult): string {
  if (result.error) return result.error
  const worst = Object.entries(result.scores).sort(([, a], [, b]) => (a?.score ?? 1) - (b?.score ?? 1))[0]
  return worst ? `${worst[0]}: ${worst[1]?.detail}` : 'no checks applied'
}

function aggregateLine(a: Aggregate, k: number): string {
  return `pass@1 ${pct(a.passAt1)} · pass^${k} ${pct(a.passAllK)} · score ${a.meanScore.toFixed(3)} ± ${a.ci95.toFixed(3)} (${a.cases} cases, ${a.attempts} attempts)`
}

export function summaryText(run: EvalRun, results: readonly CaseResult[]): string {
  const figures = runFigures(outcomesOf(results))
  const width = Math.max(8, ...Object.keys(figures.byCategory).map((c) => c.length))
  const lines = [
    `run ${run.id} · ${run.model} · ${run.status} · ${run.config.suites.length} suite(s), repeat ${run.config.repeat}`,
    aggregateLine(figures.overall, figures.k),
    '',
    `${'category'.padEnd(width)}  pass@1   pass^${figures.k}   score`,
    ...Object.entries(figures.byCategory).map(
      ([name, a]) =>
        `${name.padEnd(width)}  ${pct(a.passAt1).padStart(6)}   ${pct(a.passAllK).padStart(6)}   ${a.meanScore.toFixed(3)} ± ${a.ci95.toFixed(3)}`,
    ),
  ]
  const failing = caseSummaries(results).filter((c) => c.passes < c.attempts.length)
  if (failing.length) {
    lines.push('', 'cases that did not always pass:')
    for (const c of failing.slice(0, 30)) {
      const last = c.attempts.find((a) => !a.passed) as CaseResult
      lines.push(`  ${c.key}  ${c.passes}/${c.attempts.length}  ${shortfall(last)}`)
    }
    if (failing.length > 30) lines.push(`  … and ${failing.length - 30} more (see the HTML report)`)
  }
  return lines.join('\n')
}

export function renderEvalReport(
  run: EvalRun,
  results: readonly CaseResult[],
  generatedAt = new Date(),
): string {
  const figures = runFigures(outcomesOf(results))
  const categories = Object.keys(figures.byCategory)
  const chart = barChart({
    id: 'categories',
    title: `Pass rate by category (pass@1 and pass^${figures.k})`,
    categories,
    series: [
      {
        name: 'pass@1',
        color: '#4f6bed',
        values: categories.map((c) => (figures.byCategory[c]?.passAt1 ?? 0) * 100),
      },
      {
        name: `pass^${figures.k}`,
        color: '#2ea87e',
        values: categories.map((c) => (figures.byCategory[c]?.passAllK ?? 0) * 100),
      },
    ],
    unit: '%',
  })
  const o = figures.overall
  const summary: [string, string][] = [
    ['model', run.model],
    ['status', run.status],
    ['suites', run.config.suites.join(', ')],
    ['attempts per case', String(run.config.repeat)],
    ['temperature / seed', `${run.config.temperature ?? 'default'} / ${run.config.seed ?? 'none'}`],
    ['pass@1', pct(o.passAt1)],
    [`pass^${figures.k}`, pct(o.passAllK)],
    ['mean score', `${o.meanScore.toFixed(3)} ± ${o.ci95.toFixed(3)} (95% CI)`],
    ['cases / attempts', `${o.cases} / ${o.attempts}`],
  ]
  const rows = caseSummaries(results)
    .map((c) => {
      const status = c.passes === c.attempts.length ? 'pass' : c.passes === 0 ? 'fail' : 'flaky'
      const shown = c.attempts.find((a) => !a.passed) ?? (c.attempts[0] as CaseResult)
      const calls = shown.toolCalls
        .map((t) =>
          escapeHtml(`${t.fromCode ? '↳ ' : ''}${t.name}(${JSON.stringify(t.args ?? {}).slice(0, 120)})`),
        )
        .join('<br>')
      return `<tr class="${status}"><td>${escapeHtml(c.key)}</td><td>${escapeHtml(c.category)}</td>
<td class="num">${c.passes}/${c.attempts.length}</td><td class="num">${c.meanScore.toFixed(2)}</td>
<td>${calls || '<em>none</em>'}</td>
<td>${escapeHtml(shown.answer.slice(0, 400))}</td><td>${escapeHtml(shown.passed ? 'ok' : shortfall(shown))}</td></tr>`
    })
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Punie eval ${escapeHtml(run.id)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}.meta{color:#667;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:16px}td,th{padding:4px 10px 4px 0;vertical-align:top;text-align:left}
#cases td{border-top:1px solid #e4e7ee;font-size:13px}#cases td:nth-child(6){max-width:380px;white-space:pre-wrap}
.num{text-align:right}tr.fail td:first-child{color:#c0392b}tr.flaky td:first-child{color:#d68910}
tr.pass td:first-child{color:#1e8449}svg .title{font-weight:600;font-size:14px}svg .label,svg .value{font-size:11px;fill:#445}
svg .axis{stroke:#ccd}
</style></head><body>
<h1>Punie evaluation ${escapeHtml(run.id)}</h1>
<div class="meta">generated ${escapeHtml(generatedAt.toISOString())}</div>
<table id="summary">${summary.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${chart}
<h2>Cases</h2>
<table id="cases"><thead><tr><th>case</th><th>category</th><th>passed</th><th>score</th><th>tool calls</th><th>answer</th><th>why not</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`
}

export interface Comparison {
  baseline: string
  against: string
  deltas: Delta[]
  /** Cases that passed every attempt in the baseline and not in the other run. */
  regressedCases: string[]
  fixedCases: string[]
}

export function compareRuns(
  base: { run: EvalRun; results: readonly CaseResult[] },
  other: { run: EvalRun; results: readonly CaseResult[] },
): Comparison {
  const a = runFigures(outcomesOf(base.results))
  const b = runFigures(outcomesOf(other.results))
  const categories = [...new Set([...Object.keys(a.byCategory), ...Object.keys(b.byCategory)])].sort()
  const empty = { cases: 0, attempts: 0, passAt1: 0, passAllK: 0, meanScore: 0, ci95: 0, passes: 0 }
  const deltas = [
    compareAggregates('overall', a.overall, b.overall),
    ...categories.map((c) => compareAggregates(c, a.byCategory[c] ?? empty, b.byCategory[c] ?? empty)),
  ]
  const allPass = (results: readonly CaseResult[]) =>
    new Set(
      caseSummaries(results)
        .filter((c) => c.passes === c.attempts.length)
        .map((c) => c.key),
    )
  const before = allPass(base.results)
  const after = allPass(other.results)
  const otherKeys = new Set(caseSummaries(other.results).map((c) => c.key))
  return {
    baseline: base.run.id,
    against: other.run.id,
    deltas,
    regressedCases: [...before].filter((k) => otherKeys.has(k) && !after.has(k)),
    fixedCases: [...after].filter(
      (k) => !before.has(k) && caseSummaries(base.results).some((c) => c.key === k),
    ),
  }
}

export function comparisonText(c: Comparison, color: boolean): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s)
  const green = (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s)
  const width = Math.max(8, ...c.deltas.map((d) => d.name.length))
  const lines = [
    `${c.against} against ${c.baseline} (pass@1)`,
    `${'category'.padEnd(width)}  before    after     delta     verdict`,
  ]
  for (const d of c.deltas) {
    const sign = d.delta > 0 ? '+' : ''
    const verdict =
      d.verdict === 'worse'
        ? red('REGRESSION')
        : d.verdict === 'better'
          ? green('improved')
          : d.verdict === 'within noise'
            ? `within noise (z ${d.z.toFixed(2)})`
            : 'same'
    const line = `${d.name.padEnd(width)}  ${pct(d.before).padStart(6)}    ${pct(d.after).padStart(6)}    ${(sign + (d.delta * 100).toFixed(1)).padStart(6)}    ${verdict}`
    lines.push(d.verdict === 'worse' ? red(line) : line)
  }
  if (c.regressedCases.length) lines.push('', red(`regressed cases: ${c.regressedCases.join(', ')}`))
  if (c.fixedCases.length) lines.push('', green(`fixed cases: ${c.fixedCases.join(', ')}`))
  return lines.join('\n')
}
