// Which of ruff's fixes count as safe when ruff itself does not say. The ruff CLI reports each fix's
// applicability (safe, unsafe, display-only); the bundled WebAssembly build (@astral-sh/ruff-wasm-nodejs 0.17)
// returns only the edits. So the wasm backend treats a fix as safe only for the rules below, whose fixes the CLI
// marks safe (checked against ruff 0.16.9 on sample code, and against each rule's "Fix safety" notes in
// `ruff rule`), and every other fix as unsafe: it is applied only with `unsafe: true`, never by surprise.

/** How a fix's applicability is told: `cli` as ruff reported it; `wasm` by rule, see below. */
export type Applicability = 'safe' | 'unsafe' | 'display-only'

// `always`: the CLI marks every fix of the rule safe. `keeps-comments`: safe unless it deletes a comment, which
// makes ruff mark the fix unsafe (UP004 and UP010 over a commented line, say).
const SAFE_RULES: Readonly<Record<string, 'always' | 'keeps-comments'>> = {
  COM812: 'always',
  E401: 'always',
  E703: 'always',
  E713: 'always',
  E714: 'always',
  F401: 'always',
  F541: 'always',
  F632: 'always',
  F811: 'always',
  F901: 'always',
  I001: 'always',
  Q000: 'always',
  UP004: 'keeps-comments',
  UP009: 'always',
  UP010: 'keeps-comments',
  UP015: 'always',
  W292: 'always',
}

/** The applicability the wasm backend gives a fix of `code` that replaces `removed` texts with `inserted` ones. */
export function wasmApplicability(
  code: string | null,
  file: string,
  edits: readonly { removed: string; inserted: string }[],
): Applicability | null {
  // ruff offers no fix for an unused import in a package's __init__.py (it may be a re-export).
  if (code === 'F401' && /(^|[\\/])__init__\.pyi?$/.test(file)) return null
  const kind = code === null ? undefined : SAFE_RULES[code]
  if (kind === undefined) return 'unsafe'
  if (kind === 'keeps-comments' && edits.some(({ removed, inserted }) => dropsComment(removed, inserted)))
    return 'unsafe'
  return 'safe'
}

/** Whether an edit removes a `# …` comment that its replacement does not carry over. */
function dropsComment(removed: string, inserted: string): boolean {
  return (removed.match(/#[^\n]*/g) ?? []).some((comment) => !inserted.includes(comment.trim()))
}

/** Whether a fix of that applicability is applied (and so reported fixable) with the given unsafe setting. */
export function applies(applicability: Applicability | null, unsafe: boolean): boolean {
  return applicability === 'safe' || (unsafe && applicability === 'unsafe')
}
