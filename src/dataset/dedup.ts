// `punie dataset dedup`: exact duplicates by a hash of the normalised conversation, near duplicates by MinHash
// signatures over word shingles and an LSH index (the `minhash` package). Memory per kept example: a 22-character
// digest; with --near also its signature (64 numbers, 512 B) and its keys in the LSH index's bands.
import { createHash } from 'node:crypto'
import { LshIndex, Minhash } from 'minhash'
import type { Example } from './example.js'

const NUM_PERM = 64
const SHINGLE = 3

/** The text that decides whether two examples are the same: roles, text with spaces collapsed, calls. */
export function normalisedText(example: Example): string {
  const parts: string[] = []
  const tools = (example.tools ?? []).map((t) => t.function.name).sort()
  if (tools.length) parts.push(`tools:${tools.join(',')}`)
  for (const m of example.messages) {
    parts.push(`${m.role}:${(m.content ?? '').replace(/\s+/g, ' ').trim()}`)
    if (m.role === 'assistant')
      for (const c of m.tool_calls ?? [])
        parts.push(`call:${c.function.name}:${canonicalJson(c.function.arguments)}`)
  }
  return parts.join('\n')
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)))
  } catch {
    return text.replace(/\s+/g, ' ').trim()
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    )
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim()
  return value
}

export function exactKey(example: Example): string {
  return createHash('sha256').update(normalisedText(example)).digest('base64').slice(0, 22)
}

/** Word shingles of the normalised text, lower-cased: what near-duplicate similarity is measured on. */
export function shingles(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean)
  const out = new Set<string>()
  if (words.length < SHINGLE) {
    if (words.length) out.add(words.join(' '))
    return out
  }
  for (let i = 0; i + SHINGLE <= words.length; i++) out.add(words.slice(i, i + SHINGLE).join(' '))
  return out
}

export interface Duplicate {
  line: number
  /** The line of the kept example it repeats. */
  of: number
  kind: 'exact' | 'near'
  similarity: number
}

/** Decides, one example at a time, whether it repeats one kept before. */
export class Deduplicator {
  private readonly exact = new Map<string, number>()
  private readonly index: LshIndex | undefined
  private readonly signatures = new Map<string, { line: number; values: Float64Array }>()

  constructor(private readonly near?: number) {
    // Fewer rows a band find more candidates; each is checked against the threshold anyway.
    if (near !== undefined) this.index = new LshIndex({ bandSize: near >= 0.8 ? 4 : 2 })
  }

  /** The duplicate it is, or undefined when the example is new (and now kept). */
  check(example: Example, line: number): Duplicate | undefined {
    const key = exactKey(example)
    const seen = this.exact.get(key)
    if (seen !== undefined) return { line, of: seen, kind: 'exact', similarity: 1 }
    if (this.index && this.near !== undefined) {
      const hash = new Minhash({ numPerm: NUM_PERM })
      for (const s of shingles(normalisedText(example))) hash.update(s)
      const id = String(line)
      // The package's query needs every band of the query in the index, so the example goes in first.
      this.index.insert(id, hash)
      let best: { line: number; similarity: number } | undefined
      for (const other of this.index.query(hash)) {
        if (other === id) continue
        const kept = this.signatures.get(other)
        if (!kept) continue
        const similarity = agreement(hash.hashvalues, kept.values)
        if (similarity >= this.near && (!best || similarity > best.similarity))
          best = { line: kept.line, similarity }
      }
      if (best) return { line, of: best.line, kind: 'near', similarity: best.similarity }
      // Only the numbers are kept: the package's Minhash object also carries its permutations.
      this.signatures.set(id, { line, values: Float64Array.from(hash.hashvalues) })
    }
    this.exact.set(key, line)
    return undefined
  }
}

/** The MinHash estimate of Jaccard similarity: the share of signature positions that agree (as Minhash.jaccard). */
function agreement(a: readonly number[], b: Float64Array): number {
  let same = 0
  for (let i = 0; i < b.length; i++) if (a[i] === b[i]) same++
  return same / b.length
}
