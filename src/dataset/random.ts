// Seeded randomness for split and sample: the same seed and file give the same result on every machine. Pure.

/** A 32-bit PRNG (mulberry32): fast, and good enough to shuffle training data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform value in [0, 1) for item `index` under `seed`, independent of every other item. */
export function hashUniform(seed: number, index: number): number {
  const hi = mix32(seed ^ mix32(index))
  const lo = mix32(hi ^ 0x9e3779b9 ^ index)
  // 53 bits, so that ties among millions of items are practically impossible.
  return ((hi >>> 0) * 2 ** 21 + ((lo >>> 0) >>> 11)) / 2 ** 53
}

function mix32(x: number): number {
  let h = x >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Whole counts for `total` items in the given shares (largest remainder), summing to `total`. */
export function allocate(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0) || 1
  const exact = shares.map((s) => (total * s) / sum)
  const counts = exact.map(Math.floor)
  let left = total - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    counts[i] = (counts[i] ?? 0) + 1
    left--
  }
  return counts
}
