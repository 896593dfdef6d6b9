// Structural queries over Python source with tree-sitter: a raw query, or a ready-made pattern (calls,
// decorators, imports, classes, functions, optionally by name), giving typed matches. Parsing is local and
// synchronous once the grammar is loaded; a query is checked before it runs, and an invalid one says where.
import type { Node, Query } from '@vscode/tree-sitter-wasm'
import { predicateRegexes, unsafeRegexReason } from './regex-safety.js'
import { type LoadedGrammar, loadGrammar } from './tree-sitter.js'

export const PATTERN_KINDS = ['call', 'decorator', 'import', 'class', 'function'] as const
export type PatternKind = (typeof PATTERN_KINDS)[number]

/** One captured node, as the model reads it: 1-based line and column, the first non-blank line of its text. */
export interface SyntaxMatch {
  line: number
  column: number
  endLine: number
  nodeType: string
  capture: string
  snippet: string
}

/** A query that does not compile: the message says what is wrong, `offset` where (0-based, in the query). */
export class SyntaxQueryError extends Error {
  override name = 'SyntaxQueryError'
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

/** Ready-made patterns as queries. Captures starting with `_` help a pattern and are not reported. */
const PATTERN_QUERIES: Record<PatternKind, string> = {
  call: '(call function: (_) @_name) @call',
  decorator: '(decorator) @decorator',
  import: '[(import_statement) (import_from_statement) (future_import_statement)] @import',
  class: '(class_definition name: (identifier) @_name) @class',
  function: '(function_definition name: (identifier) @_name) @function',
}

export function patternQuery(kind: PatternKind): string {
  return PATTERN_QUERIES[kind]
}

const MAX_SNIPPET = 120

export function snippetOf(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? ''
  const trimmed = line.trim()
  return trimmed.length > MAX_SNIPPET ? `${trimmed.slice(0, MAX_SNIPPET - 1)}…` : trimmed
}

/**
 * Whether a dotted name answers to the name asked for: the same, or its last part when the name asked has no
 * dot (`get` finds `app.get`), or a module under it for imports (`os` finds `os.path`).
 */
export function nameAnswers(found: string, wanted: string, prefix = false): boolean {
  if (found === wanted) return true
  if (!wanted.includes('.') && found.endsWith(`.${wanted}`)) return true
  return prefix && found.startsWith(`${wanted}.`)
}

/** The names a matched node of a ready-made pattern goes by: a call's callee, a decorator's, an import's modules. */
export function namesOf(kind: PatternKind, node: Node): string[] {
  switch (kind) {
    case 'call':
    case 'class':
    case 'function': {
      const name = node.childForFieldName(kind === 'call' ? 'function' : 'name')
      return name ? [name.text.replace(/\s+/g, '')] : []
    }
    case 'decorator':
      return [node.text.replace(/^@\s*/, '').replace(/\(.*$/s, '').replace(/\s+/g, '')]
    case 'import': {
      const module = node.childForFieldName('module_name')
      if (node.type === 'future_import_statement') return ['__future__']
      if (module) return [module.text.replace(/\s+/g, '')]
      return node
        .childrenForFieldName('name')
        .filter((n): n is Node => n !== null)
        .map((n) => (n.type === 'aliased_import' ? (n.childForFieldName('name')?.text ?? '') : n.text))
    }
  }
}

export interface PythonSyntax {
  grammar: LoadedGrammar
  /** Compiles a query; throws SyntaxQueryError for one that does not. The caller deletes it. */
  compile(source: string): Query
  /** Parses `text` and hands its root to `use`; the tree is freed afterwards, so nothing of it may escape. */
  withTree<T>(text: string, use: (root: Node) => T): T
}

export async function loadPython(): Promise<PythonSyntax> {
  const grammar = await loadGrammar('python')
  return {
    grammar,
    compile: (source) => {
      for (const { regex, offset } of predicateRegexes(source)) {
        const why = unsafeRegexReason(regex)
        if (why)
          throw new SyntaxQueryError(
            `invalid tree-sitter query at offset ${offset}: the regex "${regex}" may take exponential time (${why}); simplify it`,
            offset,
          )
      }
      try {
        return new grammar.ts.Query(grammar.language, source)
      } catch (error) {
        const e = error as { message?: string; index?: number }
        const offset = typeof e.index === 'number' ? e.index : 0
        throw new SyntaxQueryError(
          `invalid tree-sitter query at offset ${offset}: ${e.message ?? String(error)}`,
          offset,
        )
      }
    },
    withTree: (text, use) => {
      const tree = grammar.parser.parse(text)
      if (!tree) throw new Error('the Python parser returned no tree')
      try {
        return use(tree.rootNode)
      } finally {
        tree.delete()
      }
    },
  }
}

/** Caps one search: the matches it may report; past them, `truncated`. */
export interface SearchLimits {
  maxMatches: number
  /** A query that runs this long on one file is stopped (microseconds); its matches so far count. */
  timeoutMicros?: number
}

/**
 * Every reported capture of `query` in `root`, once each, in source order. With a ready-made pattern and a
 * name, only nodes going by that name.
 */
export function matchesIn(
  root: Node,
  query: Query,
  limits: SearchLimits,
  filter?: { kind: PatternKind; name: string },
): { matches: SyntaxMatch[]; truncated: boolean } {
  const seen = new Set<string>()
  const matches: SyntaxMatch[] = []
  for (const match of query.matches(root, { timeoutMicros: limits.timeoutMicros ?? 2_000_000 })) {
    for (const { name, node } of match.captures) {
      if (name.startsWith('_')) continue
      if (
        filter &&
        !namesOf(filter.kind, node).some((n) => nameAnswers(n, filter.name, filter.kind === 'import'))
      )
        continue
      const key = `${node.startIndex}:${node.endIndex}:${node.type}:${name}`
      if (seen.has(key)) continue
      seen.add(key)
      if (matches.length === limits.maxMatches) return { matches: inOrder(matches), truncated: true }
      matches.push(toMatch(name, node))
    }
  }
  return { matches: inOrder(matches), truncated: false }
}

function inOrder(matches: SyntaxMatch[]): SyntaxMatch[] {
  return matches.sort((a, b) => a.line - b.line || a.column - b.column)
}

export function toMatch(capture: string, node: Node): SyntaxMatch {
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    nodeType: node.type,
    capture,
    snippet: snippetOf(node.text),
  }
}
