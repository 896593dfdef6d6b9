// Project rules run after a tool writes files: their issues join that tool's result, so the model reads them in
// the same turn, right after its edit. Nothing is done (not even a read) in a project without a rules file.
import type { DevtoolSettings } from '../devtools/settings.js'
import type { Workspace } from '../workspace/workspace.js'
import { renderReport } from './issues.js'
import { findRulesFile, rulesDirs } from './locate.js'

export interface AfterWriteContext {
  workspace: Workspace
  project: { root: string; memo<T>(key: string, make: () => T): T }
  settings: DevtoolSettings
  signal: AbortSignal
}

/** What the rules say about the files just written, as text for the tool's result; undefined without rules. */
export async function rulesAfterWrite(
  ctx: AfterWriteContext,
  paths: readonly string[],
): Promise<string | undefined> {
  if (!paths.length || !findRulesFile(rulesDirs(ctx.workspace.root, ctx.project.root))) return undefined
  try {
    const { checkFiles, rulesFor } = await import('./project-rules.js')
    const loaded = await rulesFor(ctx.project, ctx.workspace.root, ctx.project.root).current()
    if (!loaded) return undefined
    const files = [...new Set(await Promise.all(paths.map((p) => ctx.workspace.resolve(p))))]
    const report = await checkFiles(loaded, {
      files,
      read: (file) => ctx.workspace.readText(file, {}, ctx.signal),
      display: (file) => ctx.workspace.display(file),
      trusted: (dir) => ctx.settings.projectTrusted(dir) || ctx.settings.projectTrusted(ctx.project.root),
      signal: ctx.signal,
    })
    // A file no rule covers gets no word about rules; one that passed them says so.
    if (!report.checked.length && !report.notes.length) return undefined
    const shown = report.checked.join(', ') || files.map((f) => ctx.workspace.display(f)).join(', ')
    if (!report.issues.length && !report.notes.length) return `Project rules: no issues in ${shown}.`
    return renderReport(
      report,
      report.issues.length
        ? `Project rules found ${report.issues.length} issue${report.issues.length === 1 ? '' : 's'} in ${shown}; fix them:`
        : `Project rules: no issues in ${shown}.`,
    )
  } catch (error) {
    if (ctx.signal.aborted) throw error
    return `Project rules could not run: ${(error as Error).message}`
  }
}
