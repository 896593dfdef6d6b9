// `punie dataset sample`: seeded reservoir sampling of line numbers (never of examples), optionally per stratum,
// so a sample of any size from a file of any size needs memory for the chosen line numbers only.
import { allocate, seededRandom } from './random.js'

/** Algorithm R over a stream of line numbers: a uniform sample of `size`, the same for the same seed. */
export class Reservoir {
  readonly lines: number[] = []
  seen = 0

  constructor(
    private readonly size: number,
    private readonly random: () => number,
  ) {}

  offer(line: number): void {
    this.seen++
    if (this.lines.length < this.size) {
      this.lines.push(line)
      return
    }
    const j = Math.floor(this.random() * this.seen)
    if (j < this.size) this.lines[j] = line
  }
}

/** One reservoir per stratum, each as large as the whole sample: after the pass, each gives its share. */
export class StratifiedReservoir {
  private readonly reservoirs = new Map<string, Reservoir>()
  private readonly random: () => number

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.random = seededRandom(seed)
  }

  offer(stratum: string, line: number): void {
    let r = this.reservoirs.get(stratum)
    if (!r) {
      r = new Reservoir(this.size, this.random)
      this.reservoirs.set(stratum, r)
    }
    r.offer(line)
  }

  /** The chosen lines, in file order: shares proportional to each stratum's size (largest remainder). */
  chosen(): { lines: Set<number>; perStratum: Record<string, number> } {
    const strata = [...this.reservoirs].sort((a, b) => a[0].localeCompare(b[0]))
    const total = strata.reduce((n, [, r]) => n + r.seen, 0)
    const counts = allocate(
      Math.min(this.size, total),
      strata.map(([, r]) => r.seen),
    )
    const lines = new Set<number>()
    const perStratum: Record<string, number> = {}
    strata.forEach(([name, r], i) => {
      const k = counts[i] ?? 0
      // A uniform k-subset of a uniform sample is a uniform k-subset: shuffle the reservoir, take k.
      const pool = [...r.lines]
      for (let a = pool.length - 1; a > 0; a--) {
        const b = Math.floor(this.random() * (a + 1))
        ;[pool[a], pool[b]] = [pool[b] as number, pool[a] as number]
      }
      for (const line of pool.slice(0, k)) lines.add(line)
      perStratum[name] = k
    })
    return { lines, perStratum }
  }
}
