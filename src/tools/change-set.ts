// A change across files (a rename, a format run, lint fixes) is one value: computed first, shown as one
// permission request carrying every file's diff, and applied all or nothing.
import { z } from 'zod'
import type { Workspace } from '../workspace/workspace.js'
import { defineTool, type Tool, type ToolContent, type ToolContext, type ToolDefinition } from './define.js'

export interface FileChange {
  /** Absolute path, as the workspace resolved it. */
  path: string
  oldText: string
  newText: string
}

/** What was written for one file, as the model reads it: lines added and removed. */
export const appliedFile = z.object({ path: z.string(), added: z.number().int(), removed: z.number().int() })
export type AppliedFile = z.infer<typeof appliedFile>

/** Only the files whose text really changes, each once (later changes of a file build on earlier ones), by path. */
export function changeSet(changes: readonly FileChange[]): FileChange[] {
  const byPath = new Map<string, FileChange>()
  for (const change of changes) {
    const earlier = byPath.get(change.path)
    byPath.set(change.path, earlier ? { ...change, oldText: earlier.oldText } : change)
  }
  return [...byPath.values()]
    .filter((c) => c.oldText !== c.newText)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** The permission request's content: one diff per file. */
export function changeSetContent(changes: readonly FileChange[]): ToolContent[] {
  return changes.map((c) => ({ type: 'diff', path: c.path, oldText: c.oldText, newText: c.newText }))
}

/**
 * The paths a call's preview says it will write. The permission decision for a change-set tool is made on
 * these, as for a single edit's path, so that a rule about paths (files that change how tools behave) holds
 * for every file of the set.
 */
export function changedPaths(preview: readonly ToolContent[]): string[] {
  return preview.flatMap((c) => (c.type === 'diff' ? [c.path] : []))
}

/**
 * How a change-set tool is permission-checked for one call: as an edit that asks when its preview changes
 * files, and as a read that needs no permission when there is nothing to write.
 */
export function changeSetPermission(
  tool: Pick<Tool, 'name' | 'kind' | 'permission' | 'changeSet'>,
  preview: readonly ToolContent[],
): Pick<Tool, 'name' | 'kind' | 'permission'> {
  if (!tool.changeSet) return tool
  return changedPaths(preview).length > 0
    ? { name: tool.name, kind: 'edit', permission: 'ask' }
    : { name: tool.name, kind: 'read', permission: 'never' }
}

/** Lines added and removed between two texts (a longest common subsequence of lines; whole middle if huge). */
export function lineCounts(oldText: string, newText: string): { added: number; removed: number } {
  const a = oldText.split('\n')
  const b = newText.split('\n')
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const n = endA - start
  const m = endB - start
  if (n === 0 || m === 0 || n * m > 4_000_000) return { added: m, removed: n }
  let previous = new Uint32Array(m + 1)
  let row = new Uint32Array(m + 1)
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      row[j] =
        a[start + i - 1] === b[start + j - 1]
          ? (previous[j - 1] as number) + 1
          : Math.max(previous[j] as number, row[j - 1] as number)
    }
    ;[previous, row] = [row, previous]
  }
  const common = previous[m] as number
  return { added: m - common, removed: n - common }
}

export class ChangeSetError extends Error {
  override name = 'ChangeSetError'
}

/**
 * Writes every file of the set or none: each file must still hold the text the set was computed from, and if a
 * write fails midway the files already written get their old text back.
 */
export async function applyChangeSet(
  workspace: Workspace,
  changes: readonly FileChange[],
  signal?: AbortSignal,
): Promise<AppliedFile[]> {
  for (const change of changes) {
    const now = await workspace.readText(change.path, {}, signal)
    if (now !== change.oldText) {
      throw new ChangeSetError(
        `${workspace.display(change.path)} changed after the changes were computed; nothing was written`,
      )
    }
  }
  const written: FileChange[] = []
  try {
    for (const change of changes) {
      signal?.throwIfAborted()
      await workspace.writeText(change.path, change.newText)
      written.push(change)
    }
  } catch (error) {
    const failed = changes[written.length]
    const restoreFailures: string[] = []
    for (const change of written.reverse()) {
      // Restoring must not stop at a cancelled signal: it is what keeps the files consistent.
      await workspace
        .writeText(change.path, change.oldText)
        .catch(() => restoreFailures.push(workspace.display(change.path)))
    }
    throw new ChangeSetError(
      `could not write ${failed ? workspace.display(failed.path) : 'a file'} (${(error as Error).message}); ` +
        (restoreFailures.length
          ? `could not restore ${restoreFailures.join(', ')}, check them`
          : 'no file was changed'),
    )
  }
  return changes.map((c) => ({ path: workspace.display(c.path), ...lineCounts(c.oldText, c.newText) }))
}

/** How applied files read to the model: `a.py (+2 -1), b.py (+1 -1)`. */
export function renderApplied(files: readonly AppliedFile[]): string {
  return files.map((f) => `${f.path} (+${f.added} -${f.removed})`).join(', ')
}

/** What a change-set tool computes before anything is written: the changes, and whatever its result needs. */
export interface ChangePlan {
  changes: FileChange[]
}

type PlannedDefinition<In extends z.ZodType, Out extends z.ZodType, P> = Omit<
  ToolDefinition<In, Out>,
  'preview' | 'run' | 'permission'
> & {
  /** Computes the changes (and what else the result needs) without writing anything. */
  plan: (input: z.infer<In>, ctx: ToolContext) => Promise<P>
  /** The result, once the plan's changes were applied (`applied` lists them). */
  finish: (input: z.infer<In>, plan: P, applied: AppliedFile[], ctx: ToolContext) => Promise<z.infer<Out>>
}

/**
 * A tool whose writes form one change set: its preview is the plan's diffs (so the call asks once, showing
 * them all), and its run applies exactly the previewed plan, all or nothing, before computing its result.
 */
export function defineChangeSetTool<In extends z.ZodType, Out extends z.ZodType, P extends ChangePlan>(
  def: PlannedDefinition<In, Out, P>,
): Tool {
  // The plan of a call is made once, for its preview, and applied by its run: what the user approved is what
  // is written. Keyed by the call's context, so nothing outlives the call.
  const plans = new WeakMap<ToolContext, Promise<P>>()
  const planOf = (input: z.infer<In>, ctx: ToolContext) => {
    let plan = plans.get(ctx)
    if (!plan) {
      plan = def.plan(input, ctx).then((p) => ({ ...p, changes: changeSet(p.changes) }))
      plans.set(ctx, plan)
    }
    return plan
  }
  const { plan: _plan, finish, ...rest } = def
  const tool = defineTool({
    ...rest,
    permission: 'ask',
    preview: async (input, ctx) => changeSetContent((await planOf(input, ctx)).changes),
    run: async (input, ctx) => {
      const plan = await planOf(input, ctx)
      plans.delete(ctx)
      const applied = await applyChangeSet(ctx.workspace, plan.changes, ctx.signal)
      return finish(input, plan, applied, ctx)
    },
  })
  return { ...tool, changeSet: true }
}
