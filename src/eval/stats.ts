// Figures over a run's attempts: pass@1, pass^k, mean score with a 95% confidence interval, per category, and
// the comparison of two runs with a significance hint. Samples are small (a few cases, a few attempts), so the
// pass rate's interval is Wilson's (never outside 0..1, honest at 0% and 100%) and the score's uses Student's t.

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
  /** Half-width of the 95% confidence interval of the mean score (Student's t over attempts; 1 for one attempt). */
  ci95: number
  /** The 95% interval of the mean score, within 0..1. */
  scoreInterval: Interval
  passes: number
  /** Wilson's 95% interval of the pass rate over attempts. */
  passInterval: Interval
}

export type Interval = readonly [low: number, high: number]

const Z95 = 1.959964

/** Wilson's score interval for `passes` of `n`: [0, 1] when there is nothing to go on. */
export function wilson(passes: number, n: number, z = Z95): Interval {
  if (n <= 0) return [0, 1]
  const p = passes / n
  const z2 = z * z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n)
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

// Two-sided 95% critical values of Student's t for 1..30 degrees of freedom; 1.96 beyond.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
]

export const tCritical95 = (df: number) => (df >= 1 ? (T95[df - 1] ?? Z95) : Number.POSITIVE_INFINITY)

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
  // One attempt says nothing about the spread: the interval is the whole range.
  const half = n > 1 ? (tCritical95(n - 1) * Math.sqrt(variance)) / Math.sqrt(n) : 1
  const passes = outcomes.filter((o) => o.passed).length
  return {
    cases: cases.length,
    attempts: n,
    passAt1: cases.length
      ? cases.reduce((s, c) => s + c.filter((o) => o.passed).length / c.length, 0) / cases.length
      : 0,
    passAllK: cases.length ? cases.filter((c) => c.every((o) => o.passed)).length / cases.length : 0,
    meanScore: mean,
    ci95: half,
    scoreInterval: n ? [Math.max(0, mean - half), Math.min(1, mean + half)] : [0, 1],
    passes,
    passInterval: wilson(passes, n),
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
  /** Wilson intervals of the two pass rates over attempts. */
  beforeInterval: Interval
  afterInterval: Interval
  /** Attempts behind each side. */
  beforeAttempts: number
  afterAttempts: number
  /** Two-proportion z statistic on the pass counts. */
  z: number
  verdict: Verdict
}

/**
 * pass@1 before and after, and whether the difference is beyond what chance explains: the two-proportion test
 * (|z| ≥ 1.96) and the new rate outside the old one's Wilson interval. A change the samples are too small to
 * tell apart from noise is never called a regression.
 */
export function compareAggregates(name: string, a: Aggregate, b: Aggregate): Delta {
  const p1 = a.attempts ? a.passes / a.attempts : 0
  const p2 = b.attempts ? b.passes / b.attempts : 0
  const pooled = a.attempts + b.attempts ? (a.passes + b.passes) / (a.attempts + b.attempts) : 0
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(a.attempts, 1) + 1 / Math.max(b.attempts, 1)))
  const z = se > 0 ? (p2 - p1) / se : 0
  const delta = b.passAt1 - a.passAt1
  const [low, high] = a.passInterval
  const outside = p2 < low - 1e-9 || p2 > high + 1e-9
  const significant = a.attempts > 0 && b.attempts > 0 && Math.abs(z) >= 1.96 && outside
  const verdict: Verdict =
    Math.abs(delta) < 1e-9 ? 'same' : significant ? (delta > 0 ? 'better' : 'worse') : 'within noise'
  return {
    name,
    before: a.passAt1,
    after: b.passAt1,
    delta,
    beforeInterval: a.passInterval,
    afterInterval: b.passInterval,
    beforeAttempts: a.attempts,
    afterAttempts: b.attempts,
    z,
    verdict,
  }
}
