// A unified diff of two texts for a terminal: what a permission request would change, in a bounded number of lines.

export interface DiffTextOptions {
  /** Unchanged lines shown around each change. */
  context?: number
  /** Lines of diff shown at most; the rest is counted. */
  maxLines?: number
}

type Op = { kind: ' ' | '-' | '+'; text: string }

/** Beyond this many old × new lines the texts are not aligned line by line; the change shows as a replacement. */
const MAX_CELLS = 2_000_000

/** `--- path` / `+++ path`, then hunks with `-`, `+` and context lines; empty when nothing changes. */
export function diffText(
  path: string,
  oldText: string | null,
  newText: string,
  options: DiffTextOptions = {},
): string[] {
  const context = options.context ?? 3
  const maxLines = options.maxLines ?? 80
  const before = oldText === null ? [] : splitLines(oldText)
  const after = splitLines(newText)
  const ops = align(before, after)
  if (!ops.some((op) => op.kind !== ' ')) return []
  const header = oldText === null ? [`+++ ${path} (new file)`] : [`--- ${path}`, `+++ ${path}`]
  const body = hunks(ops, context)
  if (body.length <= maxLines) return [...header, ...body]
  return [...header, ...body.slice(0, maxLines), `… ${body.length - maxLines} more diff lines`]
}

function splitLines(text: string): string[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** Longest common subsequence of lines, after trimming the common head and tail. */
function align(a: string[], b: string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++
  const same = (lines: string[]) => lines.map((text): Op => ({ kind: ' ', text }))
  const x = a.slice(head, a.length - tail)
  const y = b.slice(head, b.length - tail)
  const middle =
    x.length * y.length > MAX_CELLS
      ? [...x.map((text): Op => ({ kind: '-', text })), ...y.map((text): Op => ({ kind: '+', text }))]
      : lcs(x, y)
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))]
}

function lcs(x: string[], y: string[]): Op[] {
  const n = x.length
  const m = y.length
  // lengths[i][j]: LCS length of x[i..] and y[j..], in one flat array.
  const lengths = new Uint32Array((n + 1) * (m + 1))
  const at = (i: number, j: number) => i * (m + 1) + j
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[at(i, j)] =
        x[i] === y[j]
          ? (lengths[at(i + 1, j + 1)] ?? 0) + 1
          : Math.max(lengths[at(i + 1, j)] ?? 0, lengths[at(i, j + 1)] ?? 0)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ kind: ' ', text: x[i++] as string })
      j++
    } else if (i < n && (j === m || (lengths[at(i + 1, j)] ?? 0) >= (lengths[at(i, j + 1)] ?? 0))) {
      // Removed lines before added ones, as diff(1) shows a replacement.
      ops.push({ kind: '-', text: x[i++] as string })
    } else {
      ops.push({ kind: '+', text: y[j++] as string })
    }
  }
  return ops
}

/** The changed lines with `context` lines around them, as `@@ -a,b +c,d @@` hunks. */
function hunks(ops: Op[], context: number): string[] {
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]))
  const out: string[] = []
  let k = 0
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - context)
    let end = (changed[k] as number) + context
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= end + 1) {
      k++
      end = (changed[k] as number) + context
    }
    end = Math.min(ops.length - 1, end)
    k++
    let oldLine = 1
    let newLine = 1
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldLine++
      if (op.kind !== '-') newLine++
    }
    const slice = ops.slice(start, end + 1)
    const oldCount = slice.filter((op) => op.kind !== '+').length
    const newCount = slice.filter((op) => op.kind !== '-').length
    out.push(
      `@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`,
    )
    for (const op of slice) out.push(`${op.kind}${op.text}`)
  }
  return out
}
