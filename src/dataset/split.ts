// `punie dataset split`: seeded, stratified and deterministic in two passes. The first pass keeps one number
// per example (its seeded draw) per stratum, to find each stratum's cut points; the second assigns each line.
import { allocate, hashUniform } from './random.js'

export const SPLIT_NAMES = ['train', 'valid', 'test'] as const

/** The cut points of one stratum: a draw below cuts[0] goes to the first split, below cuts[1] the second… */
export function cutPoints(draws: Float64Array, ratios: readonly number[]): number[] {
  const sorted = Float64Array.from(draws).sort()
  const counts = allocate(sorted.length, ratios)
  const cuts: number[] = []
  let taken = 0
  for (const c of counts.slice(0, -1)) {
    taken += c
    // Everything strictly below the first draw not taken.
    cuts.push(taken < sorted.length ? (sorted[taken] as number) : Number.POSITIVE_INFINITY)
  }
  return cuts
}

export function splitIndex(draw: number, cuts: readonly number[]): number {
  for (let i = 0; i < cuts.length; i++) if (draw < (cuts[i] as number)) return i
  return cuts.length
}

/** The seeded draw of the example on a given line: the same line and seed give the same split everywhere. */
export function drawFor(seed: number, line: number): number {
  return hashUniform(seed, line)
}

/** Collects draws per stratum (growing arrays, 8 bytes an example). */
export class DrawCollector {
  private readonly strata = new Map<string, { values: Float64Array; size: number }>()

  add(stratum: string, draw: number): void {
    let s = this.strata.get(stratum)
    if (!s) {
      s = { values: new Float64Array(64), size: 0 }
      this.strata.set(stratum, s)
    }
    if (s.size === s.values.length) {
      const grown = new Float64Array(s.values.length * 2)
      grown.set(s.values)
      s.values = grown
    }
    s.values[s.size++] = draw
  }

  cuts(ratios: readonly number[]): Map<string, number[]> {
    return new Map([...this.strata].map(([k, s]) => [k, cutPoints(s.values.subarray(0, s.size), ratios)]))
  }

  sizes(): Map<string, number> {
    return new Map([...this.strata].map(([k, s]) => [k, s.size]))
  }
}
