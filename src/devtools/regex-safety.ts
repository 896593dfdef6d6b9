// Refuses regular expressions that may take exponential time: a query's #match? runs on the agent's own thread,
// and a project's rules file (trusted or not) supplies them. A heuristic that catches the usual shapes: a
// repeated group that itself contains a repetition ((a+)+, (\w*x)*), and back-references. Pure.

/** Why the pattern is refused, or undefined when it looks safe. */
export function unsafeRegexReason(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'it uses a back-reference'
  const groups: { repeats: boolean }[] = []
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') {
      i++
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      continue
    }
    if (c === '[') inClass = true
    else if (c === '(') groups.push({ repeats: false })
    else if (c === ')') {
      const group = groups.pop()
      const next = pattern[i + 1]
      const repeated =
        next === '*' ||
        next === '+' ||
        (next === '{' && /^\{\d*,\d*\}|^\{\d{2,}\}/.test(pattern.slice(i + 1)))
      if (group?.repeats && repeated) return 'a repeated group contains a repetition, as in (a+)+'
      if (group?.repeats || repeated) {
        const outer = groups[groups.length - 1]
        if (outer) outer.repeats = true
      }
    } else if (c === '*' || c === '+' || c === '{') {
      const inner = groups[groups.length - 1]
      if (inner) inner.repeats = true
    }
  }
  return undefined
}

/** The regexes of a tree-sitter query's #match? predicates (their strings, unescaped), with their offsets. */
export function predicateRegexes(query: string): { regex: string; offset: number }[] {
  const found: { regex: string; offset: number }[] = []
  for (const m of query.matchAll(/#(?:not-)?(?:any-)?match\?\s+@[\w.-]+\s+"((?:[^"\\]|\\.)*)"/g))
    found.push({
      regex: (m[1] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)),
      offset: m.index ?? 0,
    })
  return found
}
