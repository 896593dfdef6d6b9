// Adds an import to Python source, idempotently: when the name is already imported in an equivalent form
// nothing changes; otherwise the import joins an existing `from M import …` or goes at the end of the leading
// import block (after the module docstring and `from __future__`). Pure over the syntax tree.
import type { Node } from '@vscode/tree-sitter-wasm'
import type { PythonSyntax } from './python-syntax.js'

export interface ImportSpec {
  /** `os.path`, `.models` (relative), `__future__`. */
  module: string
  /** Imported from the module (`from module import name`); absent: `import module`. */
  name?: string
  alias?: string
}

export type ImportPlan =
  | { changed: false; statement: string; existing: { line: number; text: string } }
  | { changed: true; statement: string; text: string; line: number; merged: boolean }

export class ImportSpecError extends Error {
  override name = 'ImportSpecError'
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const MODULE =
  /^(\.+([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$/

/** The statement the spec stands for; throws ImportSpecError for names Python would not accept. */
export function importStatement(spec: ImportSpec): string {
  if (!MODULE.test(spec.module)) throw new ImportSpecError(`"${spec.module}" is not a module name`)
  if (spec.name !== undefined && spec.name !== '*' && !IDENTIFIER.test(spec.name))
    throw new ImportSpecError(`"${spec.name}" is not a name that can be imported`)
  if (spec.alias !== undefined && (!IDENTIFIER.test(spec.alias) || spec.name === '*'))
    throw new ImportSpecError(`"${spec.alias}" is not a valid alias here`)
  if (spec.name === undefined && spec.module.startsWith('.'))
    throw new ImportSpecError('a relative module needs a name: from .module import name')
  const as = spec.alias ? ` as ${spec.alias}` : ''
  return spec.name === undefined
    ? `import ${spec.module}${as}`
    : `from ${spec.module} import ${spec.name}${as}`
}

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement'])

export function planImport(syntax: PythonSyntax, text: string, spec: ImportSpec): ImportPlan {
  const statement = importStatement(spec)
  return syntax.withTree(text, (root) => {
    const statements = root.namedChildren.filter((n): n is Node => n !== null)
    const existing = statements.find((n) => IMPORTS.has(n.type) && provides(n, spec))
    if (existing)
      return {
        changed: false as const,
        statement,
        existing: { line: existing.startPosition.row + 1, text: existing.text.split('\n')[0] ?? '' },
      }
    const merge = spec.name !== '*' ? statements.find((n) => mergeable(n, spec)) : undefined
    if (merge) {
      const names = merge.childrenForFieldName('name').filter((n): n is Node => n !== null)
      const last = names[names.length - 1] as Node
      const added = `, ${spec.name}${spec.alias ? ` as ${spec.alias}` : ''}`
      return {
        changed: true as const,
        statement,
        merged: true,
        line: last.endPosition.row + 1,
        text: text.slice(0, last.endIndex) + added + text.slice(last.endIndex),
      }
    }
    return {
      changed: true as const,
      statement,
      merged: false,
      ...insertLine(text, statements, statement, spec),
    }
  })
}

/** Whether `node`, a module-level import, already binds what the spec asks for. */
function provides(node: Node, spec: ImportSpec): boolean {
  const names = node.childrenForFieldName('name').filter((n): n is Node => n !== null)
  if (spec.name === undefined) {
    if (node.type !== 'import_statement') return false
    return names.some((n) =>
      n.type === 'aliased_import'
        ? spec.alias !== undefined &&
          compact(n.childForFieldName('name')) === spec.module &&
          n.childForFieldName('alias')?.text === spec.alias
        : // `import a.b` binds `a` too, to the same module.
          spec.alias === undefined &&
          (compact(n) === spec.module || compact(n).startsWith(`${spec.module}.`)),
    )
  }
  const module =
    node.type === 'future_import_statement' ? '__future__' : compact(node.childForFieldName('module_name'))
  if (module !== spec.module) return false
  if (node.namedChildren.some((n) => n?.type === 'wildcard_import')) return spec.alias === undefined
  return names.some((n) =>
    n.type === 'aliased_import'
      ? compact(n.childForFieldName('name')) === spec.name &&
        n.childForFieldName('alias')?.text === spec.alias
      : spec.alias === undefined && compact(n) === spec.name,
  )
}

/** A `from module import …` of names (not `*`) that a further name can join. */
function mergeable(node: Node, spec: ImportSpec): boolean {
  if (spec.name === undefined) return false
  const module =
    node.type === 'future_import_statement' ? '__future__' : compact(node.childForFieldName('module_name'))
  if (!(node.type === 'import_from_statement' || node.type === 'future_import_statement')) return false
  if (module !== spec.module) return false
  return !node.namedChildren.some((n) => n?.type === 'wildcard_import' || n?.type === 'comment')
}

function compact(node: Node | null): string {
  return node ? node.text.replace(/\s+/g, '') : ''
}

/**
 * A new statement on its own line: after the last import of the module's first import block (`__all__` or
 * other code may come before it); a `__future__` import after the last one of those, or after the docstring;
 * in a file without imports, after the docstring and leading comments, with a blank line before any code.
 */
function insertLine(
  text: string,
  statements: Node[],
  statement: string,
  spec: ImportSpec,
): { text: string; line: number } {
  const code = statements.filter((n) => n.type !== 'comment')
  const docstring = code[0] && isDocstring(code[0]) ? code[0] : undefined
  let anchor: Node | undefined
  if (spec.module === '__future__') {
    anchor = code.filter((n) => n.type === 'future_import_statement').at(-1) ?? docstring
  } else {
    const first = code.findIndex((n) => IMPORTS.has(n.type))
    if (first === -1) anchor = docstring
    else {
      let last = first
      while (last + 1 < code.length && IMPORTS.has((code[last + 1] as Node).type)) last++
      anchor = code[last]
    }
  }
  const anchorIsImport = anchor !== undefined && IMPORTS.has(anchor.type)
  let offset: number
  if (anchor) {
    const lineEnd = text.indexOf('\n', anchor.endIndex)
    offset = lineEnd === -1 ? text.length : lineEnd + 1
  } else {
    offset = leadingCommentsEnd(text)
  }
  const before = offset > 0 && !text.slice(0, offset).endsWith('\n') ? '\n' : ''
  const rest = text.slice(offset)
  const nextLine = rest.split('\n')[0] ?? ''
  // A new import block is set apart from the code that follows it; one joining a block is not.
  const after = !anchorIsImport && nextLine.trim() && !/^(import|from)\s/.test(nextLine) ? '\n' : ''
  const blankBefore = anchor && !anchorIsImport ? '\n' : ''
  const inserted = `${before}${blankBefore}${statement}\n${after}`
  const line = text.slice(0, offset).split('\n').length + (before ? 1 : 0) + (blankBefore ? 1 : 0)
  return { text: text.slice(0, offset) + inserted + rest, line }
}

function isDocstring(node: Node): boolean {
  return node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string'
}

/** Where the file's leading comment lines (shebang, encoding, licence) end. */
function leadingCommentsEnd(text: string): number {
  let offset = 0
  while (offset < text.length) {
    const end = text.indexOf('\n', offset)
    const line = text.slice(offset, end === -1 ? text.length : end)
    if (!line.startsWith('#')) break
    offset = end === -1 ? text.length : end + 1
  }
  return offset
}
