// Deterministic developer tools with typed results: type checking, tests and git. They run on this machine in
// the workspace root, with paths checked against the workspace like every other tool.
import { relative } from 'node:path'
import { z } from 'zod'
import type { RuffLinter } from '../../devtools/ruff.js'
import { WorkspaceFileNotFoundError } from '../../workspace/workspace.js'
import { appliedFile, defineChangeSetTool, type FileChange, renderApplied } from '../change-set.js'
import { defineTool, type ToolContext } from '../define.js'

const diagnostic = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  severity: z.enum(['error', 'warning', 'information']),
  rule: z.string().nullable(),
  message: z.string(),
})

export const typecheck = defineTool({
  name: 'typecheck',
  description:
    'Type-check Python code. Returns every error, from pyright or the checker the project uses; each error has file, line, column, rule and message.',
  kind: 'read',
  permission: 'never',
  input: z.object({
    path: z.string().optional().describe('File or directory relative to the workspace root (default: all)'),
  }),
  output: z.object({
    success: z.boolean(),
    checker: z.string(),
    files_checked: z.number().int(),
    error_count: z.number().int(),
    warning_count: z.number().int(),
    errors: z.array(diagnostic),
  }),
  title: ({ path }) => `Type-check ${path ?? 'the project'}`,
  locations: ({ path }) => (path ? [{ path }] : []),
  render: (out) =>
    [
      `${out.error_count} errors, ${out.warning_count} warnings in ${out.files_checked} files (${out.checker})`,
      ...out.errors
        .slice(0, 50)
        .map(
          (e) =>
            `${e.file}:${e.line}:${e.column}: ${e.severity}${e.rule ? ` [${e.rule}]` : ''}: ${e.message}`,
        ),
    ].join('\n'),
  run: async ({ path }, ctx) => {
    const { notAnOption } = await argv()
    const checked = notAnOption(path ?? '.', 'path')
    // Checkers word a missing path their own way (pyright: "did not answer with JSON"); say it plainly.
    if (path && !(await ctx.workspace.stat(checked))) throw new WorkspaceFileNotFoundError(path)
    const target = await ctx.workspace.resolve(checked)
    const { chooseTypechecker, runTypechecker } = await import('../../devtools/typecheckers.js')
    const checker = await chooseTypechecker(ctx.workspace.root, ctx.settings.typechecker)
    // pyright's warm language server answers as its CLI would, without starting a process per call.
    const warm = checker === 'pyright' ? await (await lspTools()).warmTypecheck(ctx, target) : undefined
    return warm ?? runTypechecker(checker, ctx.workspace.root, target, ctx.signal)
  },
})

export const runTests = defineTool({
  name: 'run_tests',
  description: 'Run the tests with pytest. Returns each outcome; optionally one path and a -k expression.',
  kind: 'execute',
  permission: 'ask',
  input: z.object({
    path: z
      .string()
      .optional()
      .describe(
        'Test file or directory relative to the workspace root, or a node id from an earlier result (tests/test_a.py::test_b)',
      ),
    k: z
      .string()
      .optional()
      .describe('pytest -k expression selecting tests by name (e.g. "discount and not slow")'),
  }),
  output: z.object({
    success: z.boolean(),
    passed: z.number().int(),
    failed: z.number().int(),
    errors: z.number().int(),
    skipped: z.number().int(),
    duration: z.number(),
    tests: z.array(
      z.object({
        name: z.string().describe('pytest node id; pass it back as path to rerun just this test'),
        outcome: z.enum(['passed', 'failed', 'error', 'skipped']),
        duration: z.number(),
        message: z.string().nullable(),
      }),
    ),
    output: z.string(),
  }),
  title: ({ path, k }) => `pytest ${path ?? ''}${k ? ` -k ${k}` : ''}`.trim(),
  locations: ({ path }) => (path ? [{ path }] : []),
  permissionScope: () => 'pytest',
  render: (out) =>
    [
      `${out.passed} passed, ${out.failed} failed, ${out.errors} errors, ${out.skipped} skipped in ${out.duration.toFixed(2)} s`,
      ...out.tests
        .filter((t) => t.outcome === 'failed' || t.outcome === 'error')
        .map((t) => `${t.outcome.toUpperCase()} ${t.name}: ${t.message ?? ''}`),
    ].join('\n'),
  run: async ({ path, k }, ctx) => {
    const { pytestKeywordExpression, splitNodeId } = await argv()
    const keyword = k?.trim() ? pytestKeywordExpression(k) : undefined
    let target: string | undefined
    if (path !== undefined) {
      const { path: file, rest } = splitNodeId(path)
      target = (relative(ctx.workspace.root, await ctx.workspace.resolve(file)) || '.') + rest
    }
    const { runTests: runPytest } = await import('../../devtools/pytest.js')
    return runPytest(ctx.workspace.root, {
      ...(target !== undefined ? { target } : {}),
      ...(keyword !== undefined ? { k: keyword } : {}),
      signal: ctx.signal,
    })
  },
})

export const gitStatusTool = defineTool({
  name: 'git_status',
  description: 'The branch and every changed, staged or untracked file. Also the distance from upstream.',
  kind: 'read',
  permission: 'never',
  input: z.object({}),
  output: z.object({
    branch: z.string().nullable(),
    upstream: z.string().nullable(),
    ahead: z.number().int(),
    behind: z.number().int(),
    files: z.array(
      z.object({
        path: z.string(),
        staged: z.string(),
        unstaged: z.string(),
        originalPath: z.string().optional(),
      }),
    ),
    clean: z.boolean(),
  }),
  title: () => 'git status',
  render: (out) =>
    [
      `On ${out.branch ?? '(detached HEAD)'}${out.upstream ? ` (${out.ahead} ahead, ${out.behind} behind ${out.upstream})` : ''}`,
      ...(out.clean ? ['Nothing changed.'] : out.files.map((f) => `${f.staged}${f.unstaged} ${f.path}`)),
    ].join('\n'),
  run: async (_input, ctx) => (await git()).gitStatus(ctx.workspace.root, ctx.signal),
})

export const gitDiffTool = defineTool({
  name: 'git_diff',
  description: 'Working-tree (or staged) changes as a unified diff. Also per-file counts.',
  kind: 'read',
  permission: 'never',
  input: z.object({
    staged: z.boolean().optional().describe('Show what is staged for commit instead'),
    ref: z.string().optional().describe('Compare with this branch, tag or commit (e.g. main, HEAD~1)'),
    path: z.string().optional().describe('Only this file or directory, relative to the workspace root'),
  }),
  output: z.object({
    files: z.array(
      z.object({ path: z.string(), additions: z.number().nullable(), deletions: z.number().nullable() }),
    ),
    diff: z.string(),
    truncated: z.boolean(),
  }),
  title: ({ staged, ref, path }) =>
    ['git diff', staged ? '--cached' : '', ref ?? '', path ? `-- ${path}` : ''].filter(Boolean).join(' '),
  render: (out) =>
    out.files.length ? `${out.diff}${out.truncated ? '\n[diff truncated]' : ''}` : 'No changes.',
  run: async ({ staged, ref, path }, ctx) =>
    (await git()).gitDiff(ctx.workspace.root, staged ?? false, ctx.signal, await gitScope(ctx, ref, path)),
})

export const gitLogTool = defineTool({
  name: 'git_log',
  description: 'Recent commits: hash, author, date and subject.',
  kind: 'read',
  permission: 'never',
  input: z.object({
    n: z.number().int().min(1).max(200).optional().describe('How many commits (default 10)'),
    ref: z.string().optional().describe('Start from this branch, tag or commit (default: HEAD)'),
    path: z.string().optional().describe('Only commits touching this file or directory'),
  }),
  output: z.object({
    commits: z.array(
      z.object({ hash: z.string(), author: z.string(), date: z.string(), subject: z.string() }),
    ),
  }),
  title: ({ n }) => `git log -n ${n ?? 10}`,
  render: (out) =>
    out.commits
      .map((c) => `${c.hash.slice(0, 10)} ${c.date.slice(0, 10)} ${c.author}: ${c.subject}`)
      .join('\n') || 'No commits yet.',
  run: async ({ n, ref, path }, ctx) => ({
    commits: await (await git()).gitLog(
      ctx.workspace.root,
      n ?? 10,
      ctx.signal,
      await gitScope(ctx, ref, path),
    ),
  }),
})

/** The Python files a path names: itself, or those under it (.gitignore respected). */
async function pythonFiles(ctx: ToolContext, path: string): Promise<string[]> {
  const { notAnOption } = await argv()
  notAnOption(path, 'path')
  const info = await ctx.workspace.stat(path)
  if (!info) throw new WorkspaceFileNotFoundError(path)
  if (info.type === 'file') return [await ctx.workspace.resolve(path)]
  const files: string[] = []
  for await (const file of ctx.workspace.walkFiles(path, ctx.signal))
    if (/\.pyi?$/.test(file)) files.push(file)
  return files
}

// Backends load on first use, not with the agent.
const git = () => import('../../devtools/git.js')
const argv = () => import('../../devtools/argv.js')

/** A ref checked as a revision and a path checked against the workspace, relative to the root for git. */
async function gitScope(ctx: ToolContext, ref?: string, path?: string) {
  const { gitRevision, notAnOption } = await argv()
  const scope: { ref?: string; path?: string } = {}
  // An empty value is taken as none: small models send "" for an option they do not mean.
  if (ref) scope.ref = gitRevision(ref)
  if (path) {
    const absolute = await ctx.workspace.resolve(notAnOption(path, 'path'))
    scope.path = relative(ctx.workspace.root, absolute) || '.'
  }
  return scope
}
const lspTools = () => import('./lsp-tools.js')

const linter = async (ctx: ToolContext): Promise<RuffLinter> => {
  const { RuffLinter } = await import('../../devtools/ruff.js')
  return ctx.memo(`ruff:${ctx.workspace.root}`, () => new RuffLinter(ctx.workspace.root))
}

export const lint = defineChangeSetTool({
  name: 'lint',
  description:
    "Lint Python files with ruff. The project's ruff settings apply; fix: true applies ruff's safe fixes (unsafe: true adds the unsafe ones) in one permission request showing every diff, all or nothing; fixable says what fix will do.",
  kind: 'read',
  asks: { via: 'writes', when: 'fix' },
  input: z.object({
    path: z.string().optional().describe('File or directory relative to the workspace root (default: all)'),
    fix: z.boolean().optional().describe('Apply the fixes ruff offers (asks once, showing every diff)'),
    unsafe: z
      .boolean()
      .optional()
      .describe("Include ruff's unsafe fixes, which may change behaviour (default: safe fixes only)"),
  }),
  output: z.object({
    files_checked: z.number().int(),
    violations: z.array(
      z.object({
        file: z.string(),
        line: z.number().int(),
        column: z.number().int(),
        code: z.string().nullable(),
        message: z.string(),
        fixable: z.boolean(),
      }),
    ),
    fixed_files: z.array(z.string()),
    changes: z.array(appliedFile),
  }),
  title: ({ path, fix }) => `${fix ? 'Fix lint in' : 'Lint'} ${path ?? 'the project'}`,
  locations: ({ path }) => (path ? [{ path }] : []),
  render: (out) =>
    [
      `${out.violations.length} violations in ${out.files_checked} files${out.changes.length ? `; fixed ${renderApplied(out.changes)}` : ''}`,
      ...out.violations
        .slice(0, 100)
        .map(
          (v) =>
            `${v.file}:${v.line}:${v.column}: ${v.code ?? 'error'} ${v.message}${v.fixable ? ' [fixable]' : ''}`,
        ),
    ].join('\n'),
  plan: async ({ path = '.', fix, unsafe = false }, ctx) => {
    const ruff = await linter(ctx)
    const files = await pythonFiles(ctx, path)
    const texts = new Map<string, string>()
    for (const file of files) texts.set(file, await ctx.workspace.readText(file, {}, ctx.signal))
    const changes: FileChange[] = []
    if (fix) {
      for (const [file, text] of texts)
        changes.push({ path: file, oldText: text, newText: await ruff.fix(text, file, { unsafe }) })
    }
    return { changes, texts }
  },
  finish: async ({ unsafe = false }, { changes, texts }, applied, ctx) => {
    // Every change was applied (or none, and finish does not run), so the fixed texts are the files' texts.
    for (const change of changes) texts.set(change.path, change.newText)
    const ruff = await linter(ctx)
    const violations = []
    for (const [file, text] of texts) {
      for (const v of await ruff.check(text, file, { unsafe }))
        violations.push({ file: ctx.workspace.display(file), ...v })
    }
    return {
      files_checked: texts.size,
      violations,
      fixed_files: applied.map((f) => f.path),
      changes: applied,
    }
  },
})

export const format = defineChangeSetTool({
  name: 'format',
  description:
    'Format Python files with ruff. Every changed file is shown in one permission request with its diff and written all or nothing.',
  kind: 'edit',
  asks: { via: 'writes' },
  input: z.object({
    path: z.string().optional().describe('File or directory relative to the workspace root (default: all)'),
  }),
  output: z.object({
    files_checked: z.number().int(),
    formatted: z.array(z.string()),
    changes: z.array(appliedFile),
  }),
  title: ({ path }) => `Format ${path ?? 'the project'}`,
  locations: ({ path }) => (path ? [{ path }] : []),
  render: (out) =>
    out.formatted.length
      ? `Formatted ${renderApplied(out.changes)} (${out.files_checked} checked)`
      : `All ${out.files_checked} files already formatted.`,
  plan: async ({ path = '.' }, ctx) => {
    const ruff = await linter(ctx)
    const files = await pythonFiles(ctx, path)
    const changes: FileChange[] = []
    for (const file of files) {
      const text = await ctx.workspace.readText(file, {}, ctx.signal)
      changes.push({ path: file, oldText: text, newText: await ruff.format(text, file) })
    }
    return { changes, checked: files.length }
  },
  finish: async (_input, { checked }, applied) => ({
    files_checked: checked,
    formatted: applied.map((f) => f.path),
    changes: applied,
  }),
})
