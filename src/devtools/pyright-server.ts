// Type checking answered by the project's warm pyright language server instead of a new `pyright` process per
// call: the same configuration and rules, asked file by file with pull diagnostics. Used only where the result is
// the CLI's: the files are those the CLI would check, and the CLI's severities and rule names are kept.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { Diagnostic } from 'vscode-languageserver-protocol'
import type { LspClient } from './lsp/client.js'
import type { TypecheckResult, TypeDiagnostic } from './pyright.js'

/** Above this many files the CLI, which checks in bulk, is the better tool. */
const MAX_FILES = 300

/** Settings that change which files the CLI checks; with any of them, the CLI itself is asked. */
const FILE_SET_KEYS = ['include', 'exclude'] as const

async function configuresFileSet(root: string): Promise<boolean> {
  const config = await readFile(join(root, 'pyrightconfig.json'), 'utf8').catch(() => undefined)
  if (config !== undefined) {
    try {
      const parsed = JSON.parse(config) as Record<string, unknown>
      if (FILE_SET_KEYS.some((k) => k in parsed)) return true
    } catch {
      return true // let the CLI report a broken config in its own words
    }
  }
  const pyproject = await readFile(join(root, 'pyproject.toml'), 'utf8').catch(() => '')
  if (!pyproject.includes('pyright')) return false
  try {
    const tool = (parseToml(pyproject) as { tool?: { pyright?: Record<string, unknown> } }).tool
    return FILE_SET_KEYS.some((k) => k in (tool?.pyright ?? {}))
  } catch {
    return true
  }
}

/**
 * The files `pyright <target>` checks when no include or exclude is configured: Python sources under the
 * target, without pyright's default exclusions (`**​/node_modules`, `**​/__pycache__`, `**​/.*`). Undefined
 * where the CLI's choice could differ (a virtual environment inside, or too many files).
 */
async function filesLikeCli(target: string, isFile: boolean): Promise<string[] | undefined> {
  if (isFile) return /\.pyi?$/.test(target) ? [target] : undefined
  const files: string[] = []
  const pending = [target]
  while (pending.length > 0) {
    const dir = pending.pop() as string
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (entry.name === 'pyvenv.cfg') return undefined
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === '__pycache__')
        continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) pending.push(path)
      else if (entry.isFile() && /\.pyi?$/.test(entry.name)) files.push(path)
      if (files.length > MAX_FILES) return undefined
    }
  }
  // Where a stub sits beside its module, pyright checks both; so do we.
  return files.sort()
}

/** Whether the warm server can answer `pyright <target>` as the CLI would, and for which files. */
export async function serverCheckableFiles(
  root: string,
  target: string,
  isFile: boolean,
): Promise<string[] | undefined> {
  if (await configuresFileSet(root)) return undefined
  return filesLikeCli(target, isFile)
}

const SEVERITIES: Record<number, TypeDiagnostic['severity'] | undefined> = {
  1: 'error',
  2: 'warning',
  3: 'information',
}

/** A server diagnostic as the CLI reports it; hints (unused names, unreachable code) the CLI leaves out. */
export function cliDiagnostic(root: string, file: string, d: Diagnostic): TypeDiagnostic | undefined {
  const severity = SEVERITIES[d.severity ?? 1]
  if (!severity) return undefined
  return {
    file: relative(root, file) || file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    severity,
    rule: d.code === undefined ? null : String(d.code),
    message: d.message,
  }
}

/** Checks `files` (with their current texts) through the language server; the CLI's result shape. */
export async function typecheckWithServer(
  client: LspClient,
  root: string,
  files: readonly { path: string; text: string }[],
  signal?: AbortSignal,
): Promise<TypecheckResult> {
  const errors: TypeDiagnostic[] = []
  const uris = files.map((f) => ({ path: f.path, uri: client.sync(f.path, f.text) }))
  for (const { path, uri } of uris) {
    for (const d of await client.diagnosticsFor(uri, signal)) {
      const mapped = cliDiagnostic(root, path, d)
      if (mapped) errors.push(mapped)
    }
  }
  const errorCount = errors.filter((e) => e.severity === 'error').length
  return {
    success: errorCount === 0,
    checker: 'pyright',
    files_checked: files.length,
    error_count: errorCount,
    warning_count: errors.filter((e) => e.severity === 'warning').length,
    errors,
  }
}
