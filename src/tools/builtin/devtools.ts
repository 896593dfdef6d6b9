// Deterministic developer tools with typed results: type checking, tests and git. They run on this machine in
// the workspace root, with paths checked against the workspace like every other tool.
import { z } from 'zod'
import type { RuffLinter } from '../../devtools/ruff.js'
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
    'Type-check Python code and return every error. Uses pyright or the checker the project uses; each error has file, line, column, rule and message.',
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
    const target = await ctx.workspace.resolve(path ?? '.')
    const { chooseTypechecker, runTypechecker } = await import('../../devtools/typecheckers.js')
    const checker = await chooseTypechecker(ctx.workspace.root, ctx.settings.typechecker)
    return runTypechecker(checker, ctx.workspace.root, target, ctx.signal)
  },
})

export const runTests = defineTool({
  name: 'run_tests',
  description:
    'Run the Python tests with pytest and return each outcome. Optionally one path and a -k expression.',
  kind: 'execute',
  permission: 'ask',
  input: z.object({
    path: z.string().optional().describe('Test file or directory relative to the workspace root'),
    k: z.string().optional().describe('pytest -k expression selecting tests by name'),
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
        name: z.string(),
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
    if (path) await ctx.workspace.resolve(path)
    const { runTests: runPytest } = await import('../../devtools/pytest.js')
    return runPytest(ctx.workspace.root, {
      ...(path ? { path } : {}),
      ...(k ? { k } : {}),
      signal: ctx.signal,
    })
  },
})

export const gitStatusTool = defineTool({
  name: 'git_status',
  description: 'The git branch and every changed, staged or untracked file. Also the distance from upstream.',
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
  description: 'The working-tree (or staged) changes as a unified diff. Also per-file counts.',
  kind: 'read',
  permission: 'never',
  input: z.object({ staged: z.boolean().optional().describe('Show what is staged for commit instead') }),
  output: z.object({
    files: z.array(
      z.object({ path: z.string(), additions: z.number().nullable(), deletions: z.number().nullable() }),
    ),
    diff: z.string(),
    truncated: z.boolean(),
  }),
  title: ({ staged }) => (staged ? 'git diff --cached' : 'git diff'),
  render: (out) =>
    out.files.length ? `${out.diff}${out.truncated ? '\n[diff truncated]' : ''}` : 'No changes.',
  run: async ({ staged }, ctx) => (await git()).gitDiff(ctx.workspace.root, staged ?? false, ctx.signal),
})

export const gitLogTool = defineTool({
  name: 'git_log',
  description: 'The most recent commits: hash, author, date and subject.',
  kind: 'read',
  permission: 'never',
  input: z.object({
    n: z.number().int().min(1).max(200).optional().describe('How many commits (default 10)'),
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
  run: async ({ n }, ctx) => ({
    commits: await (await git()).gitLog(ctx.workspace.root, n ?? 10, ctx.signal),
  }),
})

/** The Python files a path names: itself, or those under it (.gitignore respected). */
async function pythonFiles(ctx: ToolContext, path: string): Promise<string[]> {
  const info = await ctx.workspace.stat(path)
  if (!info) throw new Error(`no such file or directory: ${path}`)
  if (info.type === 'file') return [await ctx.workspace.resolve(path)]
  const files: string[] = []
  for await (const file of ctx.workspace.walkFiles(path, ctx.signal))
    if (/\.pyi?$/.test(file)) files.push(file)
  return files
}

// Backends load on first use, not with the agent.
const git = () => import('../../devtools/git.js')

const linter = async (ctx: ToolContext): Promise<RuffLinter> => {
  const { RuffLinter } = await import('../../devtools/ruff.js')
  return ctx.memo(`ruff:${ctx.workspace.root}`, () => new RuffLinter(ctx.workspace.root))
}

/** Writes changed files through write_file, so each change asks permission and shows its diff. */
async function writeChanged(ctx: ToolContext, changes: { file: string; text: string }[]): Promise<string[]> {
  const written: string[] = []
  for (const change of changes) {
    const path = ctx.workspace.display(change.file)
    const result = await ctx.callTool('write_file', { path, content: change.text })
    if (!result.ok) throw new Error(`could not write ${path}: ${result.message}`)
    written.push(path)
  }
  return written
}

export const lint = defineTool({
  name: 'lint',
  description:
    "Lint Python files with ruff. The project's ruff settings apply; with fix: true, the available fixes are applied as edits.",
  kind: 'read',
  permission: 'never',
  input: z.object({
    path: z.string().optional().describe('File or directory relative to the workspace root (default: all)'),
    fix: z.boolean().optional().describe('Apply the fixes ruff offers (each changed file asks permission)'),
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
  }),
  title: ({ path, fix }) => `${fix ? 'Fix lint in' : 'Lint'} ${path ?? 'the project'}`,
  locations: ({ path }) => (path ? [{ path }] : []),
  render: (out) =>
    [
      `${out.violations.length} violations in ${out.files_checked} files${out.fixed_files.length ? `; fixed ${out.fixed_files.join(', ')}` : ''}`,
      ...out.violations
        .slice(0, 100)
        .map(
          (v) =>
            `${v.file}:${v.line}:${v.column}: ${v.code ?? 'error'} ${v.message}${v.fixable ? ' [fixable]' : ''}`,
        ),
    ].join('\n'),
  run: async ({ path = '.', fix }, ctx) => {
    const ruff = await linter(ctx)
    const files = await pythonFiles(ctx, path)
    const texts = new Map<string, string>()
    for (const file of files) texts.set(file, await ctx.workspace.readText(file, {}, ctx.signal))
    const changes: { file: string; text: string }[] = []
    if (fix) {
      for (const [file, text] of texts) {
        const fixed = await ruff.fix(text, file)
        if (fixed !== text) changes.push({ file, text: fixed })
      }
    }
    // writeChanged throws unless every change was written, so afterwards the fixed texts are the files' texts.
    const fixedFiles = await writeChanged(ctx, changes)
    for (const change of changes) texts.set(change.file, change.text)
    const violations = []
    for (const [file, text] of texts) {
      for (const v of await ruff.check(text, file))
        violations.push({ file: ctx.workspace.display(file), ...v })
    }
    return { files_checked: files.length, violations, fixed_files: fixedFiles }
  },
})

export const format = defineTool({
  name: 'format',
  description: 'Format Python files with ruff. Each changed file is written as an edit with its diff.',
  kind: 'edit',
  permission: 'never',
  input: z.object({
    path: z.string().optional().describe('File or directory relative to the workspace root (default: all)'),
  }),
  output: z.object({ files_checked: z.number().int(), formatted: z.array(z.string()) }),
  title: ({ path }) => `Format ${path ?? 'the project'}`,
  locations: ({ path }) => (path ? [{ path }] : []),
  render: (out) =>
    out.formatted.length
      ? `Formatted ${out.formatted.join(', ')} (${out.files_checked} checked)`
      : `All ${out.files_checked} files already formatted.`,
  run: async ({ path = '.' }, ctx) => {
    const ruff = await linter(ctx)
    const files = await pythonFiles(ctx, path)
    const changes: { file: string; text: string }[] = []
    for (const file of files) {
      const text = await ctx.workspace.readText(file, {}, ctx.signal)
      const formatted = await ruff.format(text, file)
      if (formatted !== text) changes.push({ file, text: formatted })
    }
    return { files_checked: files.length, formatted: await writeChanged(ctx, changes) }
  },
})
