// Figures over a run's attempts: pass@1, pass^k, mean score with a 95% confidence interval, per category, and
// the comparison of two runs with a significance hint.

export interface AttemptOutcome {
  caseKey: string
  category: string
  score: number
  passed: boolean
}

export interface Aggregate {
  cases: number
  attempts: number
  /** Mean over cases of the fraction of attempts that passed. */
  passAt1: number
  /** Fraction of cases that passed on every attempt (pass^k, k = attempts per case). */
  passAllK: number
  meanScore: number
  /** Half-width of the 95% confidence interval of the mean score (normal approximation over attempts). */
  ci95: number
  passes: number
}

export interface RunFigures {
  overall: Aggregate
  byCategory: Record<string, Aggregate>
  /** Attempts per case (the k of pass^k); the smallest, if a run was cut short. */
  k: number
}

export function aggregate(outcomes: readonly AttemptOutcome[]): Aggregate {
  const byCase = new Map<string, AttemptOutcome[]>()
  for (const o of outcomes) byCase.set(o.caseKey, [...(byCase.get(o.caseKey) ?? []), o])
  const cases = [...byCase.values()]
  const n = outcomes.length
  const mean = n ? outcomes.reduce((s, o) => s + o.score, 0) / n : 0
  const variance = n > 1 ? outcomes.reduce((s, o) => s + (o.score - mean) ** 2, 0) / (n - 1) : 0
  return {
    cases: cases.length,
    attempts: n,
    passAt1: cases.length
      ? cases.reduce((s, c) => s + c.filter((o) => o.passed).length / c.length, 0) / cases.length
      : 0,
    passAllK: cases.length ? cases.filter((c) => c.every((o) => o.passed)).length / cases.length : 0,
    meanScore: mean,
    ci95: n > 1 ? (1.96 * Math.sqrt(variance)) / Math.sqrt(n) : 0,
    passes: outcomes.filter((o) => o.passed).length,
  }
}

export function runFigures(outcomes: readonly AttemptOutcome[]): RunFigures {
  const categories = [...new Set(outcomes.map((o) => o.category))].sort()
  const perCase = new Map<string, number>()
  for (const o of outcomes) perCase.set(o.caseKey, (perCase.get(o.caseKey) ?? 0) + 1)
  return {
    overall: aggregate(outcomes),
    byCategory: Object.fromEntries(
      categories.map((c) => [c, aggregate(outcomes.filter((o) => o.category === c))]),
    ),
    k: perCase.size ? Math.min(...perCase.values()) : 0,
  }
}

export type Verdict = 'better' | 'worse' | 'same' | 'within noise'

export interface Delta {
  name: string
  before: number
  after: number
  delta: number
  /** Two-proportion z statistic on the pass counts. */
  z: number
  verdict: Verdict
}

/** pass@1 before and after, and whether the difference is beyond what chance explains (|z| ≥ 1.96). */
export function compareAggregates(name: string, a: Aggregate, b: Aggregate): Delta {
  const p1 = a.attempts ? a.passes / a.attempts : 0
  const p2 = b.attempts ? b.passes / b.attempts : 0
  const pooled = a.attempts + b.attempts ? (a.passes + b.passes) / (a.attempts + b.attempts) : 0
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(a.attempts, 1) + 1 / Math.max(b.attempts, 1)))
  const z = se > 0 ? (p2 - p1) / se : 0
  const delta = b.passAt1 - a.passAt1
  const verdict: Verdict =
    Math.abs(delta) < 1e-9 ? 'same' : Math.abs(z) >= 1.96 ? (delta > 0 ? 'better' : 'worse') : 'within noise'
  return { name, before: a.passAt1, after: b.passAt1, delta, z, verdict }
}
