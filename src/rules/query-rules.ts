// Runs structural rules (tree-sitter queries with conditions) over one Python file's text. Pure once the
// grammar is loaded: text in, issues out.
import type { Node, Query } from '@vscode/tree-sitter-wasm'
import type { PythonSyntax } from '../devtools/python-syntax.js'
import { fillTemplate, type RuleIssue } from './issues.js'
import type { QueryRule } from './schema.js'

/** A rule's queries, compiled once per load of the rules file. */
export interface CompiledQueryRule {
  rule: QueryRule
  query: Query
  has?: Query
  notHas?: Query
  inside?: Query
  notInside?: Query
}

/** Compiles each query of the rule; throws SyntaxQueryError (naming the field) for one that does not compile. */
export function compileQueryRule(syntax: PythonSyntax, rule: QueryRule): CompiledQueryRule {
  const made: Query[] = []
  const compile = (field: string, source: string | undefined): Query | undefined => {
    if (source === undefined) return undefined
    try {
      const query = syntax.compile(source)
      made.push(query)
      return query
    } catch (error) {
      for (const q of made) q.delete()
      throw Object.assign(error as Error, { message: `${field}: ${(error as Error).message}` })
    }
  }
  const query = compile('query', rule.query) as Query
  const has = compile('has', rule.has)
  const notHas = compile('not_has', rule.not_has)
  const inside = compile('inside', rule.inside)
  const notInside = compile('not_inside', rule.not_inside)
  return {
    rule,
    query,
    ...(has ? { has } : {}),
    ...(notHas ? { notHas } : {}),
    ...(inside ? { inside } : {}),
    ...(notInside ? { notInside } : {}),
  }
}

export function deleteCompiled(rules: readonly CompiledQueryRule[]): void {
  for (const r of rules) for (const q of [r.query, r.has, r.notHas, r.inside, r.notInside]) q?.delete()
}

const TIMEOUT_MICROS = 2_000_000

export function queryIssues(
  syntax: PythonSyntax,
  rules: readonly CompiledQueryRule[],
  text: string,
  file: string,
): RuleIssue[] {
  if (!rules.length) return []
  return syntax.withTree(text, (root) => {
    const issues: RuleIssue[] = []
    let bound: Set<string> | undefined
    for (const compiled of rules) {
      const { rule } = compiled
      const inside = compiled.inside ? spans(compiled.inside, root) : undefined
      const notInside = compiled.notInside ? spans(compiled.notInside, root) : undefined
      const seen = new Set<string>()
      for (const match of compiled.query.matches(root, { timeoutMicros: TIMEOUT_MICROS })) {
        const target =
          match.captures.find((c) => c.name === 'match') ??
          match.captures.find((c) => !c.name.startsWith('_')) ??
          match.captures[0]
        if (!target) continue
        const node = target.node
        const key = `${node.startIndex}:${node.endIndex}`
        if (seen.has(key)) continue
        if (compiled.has && !compiled.has.matches(node, { timeoutMicros: TIMEOUT_MICROS }).length) continue
        if (compiled.notHas?.matches(node, { timeoutMicros: TIMEOUT_MICROS }).length) continue
        if (inside && !within(node, inside)) continue
        if (notInside && within(node, notInside)) continue
        const values: Record<string, string> = { file }
        for (const c of match.captures) values[c.name.replace(/^_/, '')] ??= c.node.text
        if (rule.unless_bound) {
          const name = values[rule.unless_bound.replace(/^_/, '')]
          bound ??= boundNames(root)
          if (name === undefined || bound.has(name.split('.')[0] ?? name)) continue
        }
        seen.add(key)
        issues.push({
          rule: rule.id,
          severity: rule.severity,
          file,
          line: node.startPosition.row + 1,
          column: node.startPosition.column + 1,
          message: fillTemplate(rule.message, values),
          ...(rule.suggestion ? { suggestion: fillTemplate(rule.suggestion, values) } : {}),
        })
      }
    }
    return issues
  })
}

interface Span {
  start: number
  end: number
  id: number
}

/** The nodes a query captures (captures named `_x` help and do not count), as spans. */
function spans(query: Query, root: Node): Span[] {
  return query
    .captures(root, { timeoutMicros: TIMEOUT_MICROS })
    .filter((c) => !c.name.startsWith('_'))
    .map((c) => ({ start: c.node.startIndex, end: c.node.endIndex, id: c.node.id }))
}

/** Whether a captured node other than `node` itself encloses it. */
function within(node: Node, outer: readonly Span[]): boolean {
  return outer.some((s) => s.id !== node.id && s.start <= node.startIndex && node.endIndex <= s.end)
}

/**
 * The names a module binds at its top level (also under `if TYPE_CHECKING:` and `try:`): imports, classes,
 * functions, assignments. Enough to tell whether a name used in an annotation comes from somewhere.
 */
export function boundNames(root: Node): Set<string> {
  const names = new Set<string>()
  const visit = (node: Node) => {
    switch (node.type) {
      case 'import_statement':
        for (const n of node.childrenForFieldName('name')) {
          if (!n) continue
          if (n.type === 'aliased_import') names.add(n.childForFieldName('alias')?.text ?? '')
          else names.add(n.text.split('.')[0] ?? n.text)
        }
        return
      case 'import_from_statement':
        for (const n of node.childrenForFieldName('name')) {
          if (!n) continue
          names.add(n.type === 'aliased_import' ? (n.childForFieldName('alias')?.text ?? '') : n.text)
        }
        return
      case 'class_definition':
      case 'function_definition':
        names.add(node.childForFieldName('name')?.text ?? '')
        return
      case 'decorated_definition': {
        const definition = node.childForFieldName('definition')
        if (definition) visit(definition)
        return
      }
      case 'expression_statement': {
        const assignment = node.namedChildren[0]
        const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null
        if (left?.type === 'identifier') names.add(left.text)
        return
      }
      case 'if_statement':
      case 'try_statement':
      case 'else_clause':
      case 'except_clause':
      case 'finally_clause':
      case 'block':
        for (const child of node.namedChildren) if (child) visit(child)
        return
    }
  }
  for (const child of root.namedChildren) if (child) visit(child)
  return names
}
