// The files a structural search or a rule looks at: under a path (or that one file), as the workspace walks
// them (.gitignore honoured), kept by a glob and an extension, at most so many.
import picomatch from 'picomatch'
import type { Workspace } from '../workspace/workspace.js'

export interface SourceFileQuery {
  path: string
  /** Relative to `path`; every file when absent. */
  glob?: string
  extensions: readonly string[]
  maxFiles: number
}

export async function sourceFiles(
  workspace: Workspace,
  query: SourceFileQuery,
  signal?: AbortSignal,
): Promise<{ files: string[]; truncated: boolean }> {
  const base = await workspace.resolve(query.path)
  const wanted = (file: string) => query.extensions.some((e) => file.endsWith(e))
  const info = await workspace.stat(base)
  if (info?.type === 'file') return { files: wanted(base) ? [base] : [], truncated: false }
  const include = query.glob ? picomatch(query.glob, { dot: true }) : () => true
  const files: string[] = []
  for await (const file of workspace.walkFiles(base, signal)) {
    if (!wanted(file) || !include(file.slice(base.length + 1))) continue
    if (files.length === query.maxFiles) return { files, truncated: true }
    files.push(file)
  }
  return { files, truncated: false }
}
