// The dashboard page (web/) is built for the browser: what it takes from src/ must be types or pure modules,
// never a file that reaches Node (node:*, a native package) directly or through its own imports.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const WEB = join(ROOT, 'web', 'src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}

/** Imports that stay in the bundle: `import type` and type-only re-exports are erased. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: string[] = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly)
      found.push((statement.moduleSpecifier as ts.StringLiteral).text)
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly)
      found.push((statement.moduleSpecifier as ts.StringLiteral).text)
  }
  return found
}

const toSource = (from: string, specifier: string) =>
  resolve(dirname(from), specifier).replace(/\.js$/, existsTsx(from, specifier) ? '.tsx' : '.ts')
const existsTsx = (from: string, specifier: string) => {
  try {
    return statSync(resolve(dirname(from), specifier).replace(/\.js$/, '.tsx')).isFile()
  } catch {
    return false
  }
}

describe('web/ imports', () => {
  it('takes only types and browser-safe modules from src/', () => {
    const seen = new Set<string>()
    const offences: string[] = []
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('.')) visit(toSource(file, specifier))
        else if (specifier.startsWith('node:') || !['preact', 'preact/hooks'].includes(specifier))
          offences.push(`${relative(ROOT, file)} imports ${specifier}`)
      }
    }
    for (const file of files(WEB)) visit(file)
    expect(offences).toEqual([])
    // The page does reach into src/ (the charts, the diff), so this walk covers something.
    expect([...seen].some((f) => f.startsWith(join(ROOT, 'src')))).toBe(true)
  })
})
