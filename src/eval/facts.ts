// Facts a correct answer must contain: the line, the count, the name. Matching forgives what a right answer may
// vary (case, spacing, markdown, "2" written as "two") and nothing that makes a wrong answer right: a number is
// matched as a number ("5" is not found in "15" or "F501"), a name only where a word starts.

export type Fact = string | number | { matches: string } | { any: readonly (string | number)[] }

const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
]

const NUMERIC = /^-?\d+(?:\.\d+)?$/

/** Lower case, one space for any run of white space, no markdown marks, plain quotes. */
export function normalizeAnswer(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[‘’]/g, "'")
      .replace(/[“”]/g, '"')
      // Markdown code and emphasis marks; underscores stay, identifiers are full of them (test_io.py).
      .replace(/[`*]+/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  )
}

/** Every number written in the text, as digits (thousands separators allowed) or as a word up to twenty. */
export function numbersIn(text: string): number[] {
  const found: number[] = []
  for (const m of text.matchAll(/(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?!\w|\.\d)/g)) {
    found.push(Number(m[0].replace(/,/g, '')))
  }
  const lower = text.toLowerCase()
  NUMBER_WORDS.forEach((word, value) => {
    if (new RegExp(`\\b${word}\\b`).test(lower)) found.push(value)
  })
  return found
}

function one(answer: string, normalized: string, fact: string | number): boolean {
  if (typeof fact === 'number' || NUMERIC.test(fact)) {
    const wanted = Number(fact)
    return numbersIn(answer).some((n) => n === wanted)
  }
  const needle = normalizeAnswer(fact)
  if (!needle) return true
  // A name must start where a word starts: "ann" is not found in "joanna", "generator" is in "generators".
  const start = /^\w/.test(needle) ? '(?<![\\w])' : ''
  return new RegExp(start + escapeRegExp(needle)).test(normalized)
}

export function factFound(answer: string, fact: Fact): boolean {
  const normalized = normalizeAnswer(answer)
  if (typeof fact === 'object' && 'matches' in fact) return new RegExp(fact.matches, 'i').test(answer)
  if (typeof fact === 'object') return fact.any.some((f) => one(answer, normalized, f))
  return one(answer, normalized, fact)
}

export function describeFact(fact: Fact): string {
  if (typeof fact === 'number') return String(fact)
  if (typeof fact === 'string') return JSON.stringify(fact)
  if ('matches' in fact) return `/${fact.matches}/`
  return `one of ${fact.any.map((f) => (typeof f === 'number' ? String(f) : JSON.stringify(f))).join(' | ')}`
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
