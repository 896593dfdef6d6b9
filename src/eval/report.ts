// Reading a run back: a terminal summary and a standalone HTML report. One format for each kind of figure
// everywhere: rates as percentages with one decimal, scores with three, intervals as low–high.
import { basename, extname } from 'node:path'
import { barChart, escapeHtml } from '../perf/svg.js'
import type { EvalRunRecord } from '../store/eval-store.js'
import type { CaseResult, RunConfig } from './runner.js'
import { type Aggregate, type AttemptOutcome, type Interval, runFigures } from './stats.js'

export type EvalRun = EvalRunRecord<RunConfig>

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`
export const score3 = (x: number) => x.toFixed(3)
export const pctInterval = ([low, high]: Interval) => `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`
export const scoreInterval = ([low, high]: Interval) => `${score3(low)}–${score3(high)}`

/** The names of a run's suites: as recorded when it started, else its files' names. */
export function suiteNames(run: EvalRun): string[] {
  return run.config.suiteInfo?.map((s) => s.name) ?? run.config.suites.map((p) => basename(p, extname(p)))
}

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

/** Why an attempt fell short, in one line: its error, the gates it failed (forbidden, outcome, facts), or its
 * weakest scorer. */
export function shortfall(result: CaseResult): string {
  if (result.error) return result.error
  const gates = (['forbidden', 'outcome', 'facts'] as const)
    .map((name) => [name, result.scores[name]] as const)
    .filter(([, s]) => s !== undefined && s.score < 1)
  if (gates.length) return gates.map(([name, s]) => `${name}: ${s?.detail}`).join('; ')
  const worst = Object.entries(result.scores).sort(([, a], [, b]) => (a?.score ?? 1) - (b?.score ?? 1))[0]
  return worst ? `${worst[0]}: ${worst[1]?.detail}` : 'no checks applied'
}

function aggregateLine(a: Aggregate, k: number): string {
  return `pass@1 ${pct(a.passAt1)} · pass^${k} ${pct(a.passAllK)} · score ${score3(a.meanScore)} [${scoreInterval(a.scoreInterval)}] (${a.cases} cases, ${a.attempts} attempts)`
}

export function summaryText(run: EvalRun, results: readonly CaseResult[]): string {
  const figures = runFigures(outcomesOf(results))
  const width = Math.max(8, ...Object.keys(figures.byCategory).map((c) => c.length))
  const lines = [
    `run ${run.id} · ${run.model} · ${run.status} · ${suiteNames(run).join(', ')}, repeat ${run.config.repeat}`,
    aggregateLine(figures.overall, figures.k),
    '',
    `${`${'category'.padEnd(width)}  pass@1  [95% Wilson]`.padEnd(width + 32)}${`pass^${figures.k}`.padStart(6)}   score  [95% CI]`,
    ...Object.entries(figures.byCategory).map(([name, a]) => {
      const rate = `${name.padEnd(width)}  ${pct(a.passAt1).padStart(6)}  [${pctInterval(a.passInterval)}]`
      return `${rate.padEnd(width + 32)}${pct(a.passAllK).padStart(6)}   ${score3(a.meanScore)}  [${scoreInterval(a.scoreInterval)}]`
    }),
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
    formatValue: (v) => `${v.toFixed(1)}%`,
  })
  const o = figures.overall
  const summary: [string, string][] = [
    ['model', run.model],
    ['status', run.status],
    ['suites', suiteNames(run).join(', ')],
    ['attempts per case', String(run.config.repeat)],
    ['temperature / seed', `${run.config.temperature ?? 'default'} / ${run.config.seed ?? 'none'}`],
    ['pass@1', `${pct(o.passAt1)} [${pctInterval(o.passInterval)}] (95% Wilson, over attempts)`],
    [`pass^${figures.k}`, pct(o.passAllK)],
    ['mean score', `${score3(o.meanScore)} [${scoreInterval(o.scoreInterval)}] (95% CI)`],
    ['cases / attempts', `${o.cases} / ${o.attempts}`],
  ]
  const categoryRows = Object.entries(figures.byCategory)
    .map(
      ([
        name,
        a,
      ]) => `<tr><td>${escapeHtml(name)}</td><td class="num">${a.cases}</td><td class="num">${a.attempts}</td>
<td class="num">${pct(a.passAt1)}</td><td class="num">${pctInterval(a.passInterval)}</td><td class="num">${pct(a.passAllK)}</td>
<td class="num">${score3(a.meanScore)}</td><td class="num">${scoreInterval(a.scoreInterval)}</td></tr>`,
    )
    .join('\n')
  const rows = caseSummaries(results)
    .map((c) => {
      const status = c.passes === c.attempts.length ? 'pass' : c.passes === 0 ? 'fail' : 'flaky'
      const head = `<tr class="${status}" data-case="${escapeHtml(c.key)}"><td>${escapeHtml(c.key)}</td><td>${escapeHtml(c.category)}</td>
<td class="num">${c.passes}/${c.attempts.length}</td><td class="num">${score3(c.meanScore)}</td><td colspan="3"></td></tr>`
      return [head, ...c.attempts.map((a) => attemptRow(c.key, a))].join('\n')
    })
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Punie eval ${escapeHtml(run.id)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}.meta{color:#667;margin-bottom:16px}
table{border-collapse:collapse;margin-bottom:16px}td,th{padding:4px 10px 4px 0;vertical-align:top;text-align:left}
#cases td,#categories-table td{border-top:1px solid #e4e7ee;font-size:13px}#cases td:nth-child(6){max-width:380px;white-space:pre-wrap}
.num{text-align:right}tr.fail td:first-child{color:#c0392b}tr.flaky td:first-child{color:#d68910}
tr.pass td:first-child{color:#1e8449}tr.attempt td{border-top:none;color:#445}tr.attempt td:first-child{padding-left:16px}
tr.attempt.failed td:nth-child(3){color:#c0392b}
svg .title{font-weight:600;font-size:14px}svg .label,svg .value{font-size:11px;fill:#445}
svg .axis{stroke:#ccd}
</style></head><body>
<h1>Punie evaluation ${escapeHtml(run.id)}</h1>
<div class="meta">generated ${escapeHtml(generatedAt.toISOString())}</div>
<table id="summary">${summary.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${chart}
<h2>Categories</h2>
<table id="categories-table"><thead><tr><th>category</th><th>cases</th><th>attempts</th><th>pass@1</th><th>95% Wilson</th><th>pass^${figures.k}</th><th>score</th><th>95% CI</th></tr></thead>
<tbody>
${categoryRows}
</tbody></table>
<h2>Cases</h2>
<table id="cases"><thead><tr><th>case / attempt</th><th>category</th><th>passed</th><th>score</th><th>tool calls</th><th>answer</th><th>why not</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`
}

function attemptRow(key: string, a: CaseResult): string {
  const calls = a.toolCalls
    .map((t) =>
      escapeHtml(`${t.fromCode ? '↳ ' : ''}${t.name}(${JSON.stringify(t.args ?? {}).slice(0, 120)})`),
    )
    .join('<br>')
  return `<tr class="attempt ${a.passed ? 'passed' : 'failed'}" data-case="${escapeHtml(key)}" data-attempt="${a.attempt}"><td>attempt ${a.attempt}</td><td></td>
<td>${a.passed ? 'pass' : 'fail'}</td><td class="num">${score3(a.score)}</td><td>${calls || '<em>none</em>'}</td>
<td>${escapeHtml(a.answer.slice(0, 400))}</td><td>${escapeHtml(a.passed ? 'ok' : shortfall(a))}</td></tr>`
}
