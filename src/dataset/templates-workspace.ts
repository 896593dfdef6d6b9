// What the example templates may name in a workspace: its files and directories as the workspace walks them
// (.gitignore honoured, the boundary kept), and the Python functions and classes tree-sitter finds in them.
import { readFile, stat } from 'node:fs/promises'
import { dirname, relative, sep } from 'node:path'
import { loadPython, matchesIn, patternQuery } from '../devtools/python-syntax.js'
import { walkFiles } from '../workspace/walk.js'

export interface PythonSymbol {
  name: string
  kind: 'function' | 'class'
  /** Relative to the workspace root, with `/`. */
  file: string
  line: number
  /** The definition's first line, as written. */
  text: string
}

export interface WorkspaceFacts {
  files: string[]
  /** Directories holding at least one file, the root as `.`. */
  dirs: string[]
  pythonFiles: string[]
  /** pytest's default discovery names: test_*.py and *_test.py. */
  testFiles: string[]
  symbols: PythonSymbol[]
  /** Bytes of every file walked: what a temporary copy of the workspace costs. */
  bytes: number
  /** The walk stopped at `maxFiles`. */
  truncated: boolean
}

export interface FactLimits {
  maxFiles: number
  /** Python files bigger than this are not parsed for symbols. */
  maxParseBytes: number
}

export const DEFAULT_FACT_LIMITS: FactLimits = { maxFiles: 5000, maxParseBytes: 512 * 1024 }

export async function workspaceFacts(
  root: string,
  limits: FactLimits = DEFAULT_FACT_LIMITS,
  signal?: AbortSignal,
): Promise<WorkspaceFacts> {
  const files: string[] = []
  let bytes = 0
  let truncated = false
  for await (const path of walkFiles(root, root, signal)) {
    if (files.length === limits.maxFiles) {
      truncated = true
      break
    }
    files.push(relative(root, path).split(sep).join('/'))
    bytes += (await stat(path).catch(() => undefined))?.size ?? 0
  }
  const dirs = [...new Set(files.map((f) => dirname(f)))].sort()
  const pythonFiles = files.filter((f) => f.endsWith('.py'))
  const testFiles = pythonFiles.filter((f) => /(^|\/)(test_[^/]*|[^/]*_test)\.py$/.test(f))
  const symbols = pythonFiles.length ? await pythonSymbols(root, pythonFiles, limits, signal) : []
  return { files, dirs, pythonFiles, testFiles, symbols, bytes, truncated }
}

async function pythonSymbols(
  root: string,
  files: readonly string[],
  limits: FactLimits,
  signal?: AbortSignal,
): Promise<PythonSymbol[]> {
  const python = await loadPython()
  const symbols: PythonSymbol[] = []
  for (const kind of ['function', 'class'] as const) {
    const query = python.compile(patternQuery(kind))
    try {
      for (const file of files) {
        signal?.throwIfAborted()
        const text = await readFile(`${root}/${file}`, 'utf8').catch(() => undefined)
        if (text === undefined || Buffer.byteLength(text) > limits.maxParseBytes) continue
        const lines = text.split('\n')
        python.withTree(text, (tree) => {
          const { matches } = matchesIn(tree, query, { maxMatches: 500 })
          for (const match of matches) {
            const line = lines[match.line - 1] ?? ''
            const name = /(?:def|class)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line)?.[1]
            if (name) symbols.push({ name, kind, file, line: match.line, text: line.trim() })
          }
        })
      }
    } finally {
      query.delete()
    }
  }
  return symbols.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
}
