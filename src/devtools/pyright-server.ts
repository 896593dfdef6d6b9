// Type checking answered by the project's warm pyright language server instead of a new `pyright` process per
// call: the same configuration and rules, asked file by file with pull diagnostics. Used only where the result is
// the CLI's: the files are those the CLI would check, and the CLI's severities and rule names are kept.
import { readdir, readFile, stat } from 'node:fs/promises'
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

/**
 * Whether the warm server can answer `pyright <target>` as the CLI would: the files to check, and every source
 * file of the project with its modification time (what the server must know of the disk).
 */
export async function serverCheckableFiles(
  root: string,
  target: string,
  isFile: boolean,
): Promise<{ files: string[]; disk: Map<string, number> } | undefined> {
  if (await configuresFileSet(root)) return undefined
  const all = await filesLikeCli(root, false)
  const files = target === root ? all : await filesLikeCli(target, isFile)
  if (!all || !files) return undefined
  const disk = new Map<string, number>()
  for (const file of all) {
    const info = await stat(file).catch(() => undefined)
    if (info) disk.set(file, info.mtimeMs)
  }
  return { files, disk }
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
  disk: ReadonlyMap<string, number>,
  signal?: AbortSignal,
): Promise<TypecheckResult> {
  const errors: TypeDiagnostic[] = []
  // The CLI sees the disk as it is now: the server hears of modules created, changed and deleted since.
  client.reportDiskFiles(disk)
  const uris = files.map((f) => ({ path: f.path, uri: client.sync(f.path, f.text) }))
  for (const { path, uri } of uris) {
    for (const d of await client.diagnosticsFor(uri, signal)) {
      const mapped = cliDiagnostic(root, path, d)
      if (mapped) errors.push(mapped)
    }
  }
  // In the CLI's order: by file, then position.
  errors.sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column,
  )
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
