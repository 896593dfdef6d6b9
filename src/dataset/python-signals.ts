// Python version signals found by parsing (tree-sitter's Python grammar), not by keywords: a `match` that is
// a statement (3.10), `except*` (3.11), PEP 695 type aliases and type parameters (3.12), f-strings that reuse
// their quote or hold a backslash inside a replacement field (3.12), and Python 2's print/exec statements.
import type { Node } from '@vscode/tree-sitter-wasm'
import { loadGrammar } from '../devtools/tree-sitter.js'

export interface SignalDefinition {
  name: string
  /** The version that first accepts it ("3.10"), or "2" for syntax only Python 2 accepts. */
  version: string
  description: string
}

export const SIGNALS: readonly SignalDefinition[] = [
  { name: 'async', version: '3.5', description: 'async def / await' },
  { name: 'matmul', version: '3.5', description: 'the @ operator' },
  { name: 'fstring', version: '3.6', description: 'f-strings' },
  { name: 'walrus', version: '3.8', description: 'assignment expressions (:=)' },
  { name: 'positional-only', version: '3.8', description: 'positional-only parameters (/)' },
  { name: 'match', version: '3.10', description: 'match statements' },
  { name: 'except-star', version: '3.11', description: 'except* (exception groups)' },
  { name: 'type-alias', version: '3.12', description: 'type statements (PEP 695)' },
  {
    name: 'type-params',
    version: '3.12',
    description: 'generic functions and classes: def f[T]() (PEP 695)',
  },
  {
    name: 'fstring-nesting',
    version: '3.12',
    description: 'f-strings reusing their quote or a backslash inside {} (PEP 701)',
  },
  { name: 'print-statement', version: '2', description: 'print as a statement (Python 2 only)' },
  { name: 'exec-statement', version: '2', description: 'exec as a statement (Python 2 only)' },
]

const BY_NAME = new Map(SIGNALS.map((s) => [s.name, s]))

export interface PythonAnalysis {
  signals: string[]
  /** The oldest Python 3 version that accepts the code (3.0 when nothing newer is needed). */
  minVersion: string
  /** Syntax only Python 2 accepts was found. */
  python2: boolean
  /** The parser hit something it could not read (not Python, or broken). */
  syntaxErrors: boolean
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d) return d
  }
  return 0
}

export type PythonAnalyzer = (code: string) => PythonAnalysis

/** Loads the grammar once; the analyzer it returns parses synchronously. */
export async function pythonAnalyzer(): Promise<PythonAnalyzer> {
  const { parser } = await loadGrammar('python')
  return (code) => {
    const tree = parser.parse(code)
    if (!tree) return { signals: [], minVersion: '3.0', python2: false, syntaxErrors: true }
    try {
      const found = new Set<string>()
      visit(tree.rootNode, found)
      return summarise(found, tree.rootNode.hasError)
    } finally {
      tree.delete()
    }
  }
}

export function summarise(found: Iterable<string>, syntaxErrors: boolean): PythonAnalysis {
  const signals = [...new Set(found)].sort()
  let minVersion = '3.0'
  let python2 = false
  for (const name of signals) {
    const v = BY_NAME.get(name)?.version ?? '3.0'
    if (v === '2') python2 = true
    else if (compareVersions(v, minVersion) > 0) minVersion = v
  }
  return { signals, minVersion, python2, syntaxErrors }
}

function visit(node: Node, found: Set<string>): void {
  // An explicit stack: generated code nests deep enough to overflow recursion.
  const stack: Node[] = [node]
  while (stack.length) {
    const n = stack.pop() as Node
    signalOf(n, found)
    for (let i = n.childCount - 1; i >= 0; i--) {
      const child = n.child(i)
      if (child) stack.push(child)
    }
  }
}

function signalOf(n: Node, found: Set<string>): void {
  switch (n.type) {
    case 'match_statement':
      found.add('match')
      return
    case 'except_group_clause':
      found.add('except-star')
      return
    case 'except_clause':
      if (n.children.some((c) => c?.type === '*')) found.add('except-star')
      return
    case 'type_alias_statement':
      found.add('type-alias')
      return
    case 'function_definition':
    case 'class_definition':
      if (n.children.some((c) => c?.type === 'type_parameter')) found.add('type-params')
      if (n.type === 'function_definition' && n.children.some((c) => c?.type === 'async')) found.add('async')
      return
    case 'await':
      found.add('async')
      return
    case 'named_expression':
      found.add('walrus')
      return
    case 'positional_separator':
      found.add('positional-only')
      return
    case 'binary_operator':
    case 'augmented_assignment':
      if (n.children.some((c) => c?.type === '@' || c?.type === '@=')) found.add('matmul')
      return
    case 'print_statement':
      found.add('print-statement')
      return
    case 'exec_statement':
      found.add('exec-statement')
      return
    case 'string':
      fstringSignals(n, found)
      return
  }
}

function fstringSignals(n: Node, found: Set<string>): void {
  const start = n.children.find((c) => c?.type === 'string_start')?.text ?? ''
  const prefix = /^[A-Za-z]*/.exec(start)?.[0].toLowerCase() ?? ''
  if (!prefix.includes('f')) return
  const quote = start.slice(prefix.length)
  const interpolations = n.children.filter((c): c is Node => c?.type === 'interpolation')
  if (!interpolations.length) return
  found.add('fstring')
  for (const field of interpolations) {
    // The replacement field's expression, without its format spec: where 3.12 lifted the old limits.
    const expression = field.children.filter((c): c is Node => !!c && c.type !== 'format_specifier')
    const text = expression.map((c) => c.text).join('')
    if (text.includes('\\')) found.add('fstring-nesting')
    const inner: Node[] = [...expression]
    while (inner.length) {
      const c = inner.pop() as Node
      if (c.type === 'string_start') {
        const q = c.text.replace(/^[A-Za-z]*/, '')
        // Before 3.12 an inner string could not use the outer quote: ' inside '…', """ inside """…""".
        if (q === quote || (quote.length === 1 && q[0] === quote)) found.add('fstring-nesting')
      }
      for (const child of c.children) if (child) inner.push(child)
    }
  }
}
