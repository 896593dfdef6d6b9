import { z } from 'zod'
import { sourceFiles } from '../../devtools/source-files.js'
import { MAX_ISSUES, renderReport } from '../../rules/issues.js'
import { findRulesFile, rulesDirs } from '../../rules/locate.js'
import { SEVERITIES } from '../../rules/severity.js'
import { defineTool } from '../define.js'

const MAX_FILES = 5000

const issue = z.object({
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  message: z.string(),
  suggestion: z.string().optional(),
})

/** Offered only in a project with `.punie/rules.yaml`: elsewhere it would cost prompt bytes for nothing. */
export const checkRules = defineTool({
  name: 'check_rules',
  description: `Check files against the project's rules (.punie/rules.yaml). Returns typed issues (at most ${MAX_ISSUES}): rule, severity, file, line, message, suggestion.`,
  kind: 'search',
  permission: 'never',
  present: ({ cwd, root }) => findRulesFile(rulesDirs(cwd, root)) !== undefined,
  input: z.object({
    path: z.string().optional().describe('A file or directory; the whole project when absent'),
    rule: z.string().optional().describe('Only this rule id'),
  }),
  output: z.object({
    rulesFile: z.string().nullable(),
    issues: z.array(issue),
    /** Files some rule applied to. */
    filesChecked: z.number().int(),
    notes: z.array(z.string()),
    truncated: z.boolean(),
  }),
  title: ({ path, rule }) => `Check rules${rule ? ` ${rule}` : ''}${path ? ` in ${path}` : ''}`,
  render: (out) =>
    out.rulesFile === null
      ? 'This project has no rules: .punie/rules.yaml does not exist.'
      : renderReport(
          {
            file: out.rulesFile,
            checked: [],
            issues: out.issues,
            notes: out.notes,
            truncated: out.truncated,
          },
          out.issues.length
            ? `${plural(out.issues.length, 'issue')} in ${plural(out.filesChecked, 'file')} (rules of ${out.rulesFile}):`
            : `No issues in ${plural(out.filesChecked, 'file')} (rules of ${out.rulesFile}).`,
        ),
  run: async ({ path, rule }, ctx) => {
    // The engine (and its YAML parser) loads only in a project that has rules.
    const { checkFiles, rulesFor } = await import('../../rules/project-rules.js')
    const loaded = await rulesFor(ctx.project, ctx.workspace.root, ctx.project.root).current()
    if (!loaded) return { rulesFile: null, issues: [], filesChecked: 0, notes: [], truncated: false }
    // Everything under the path: each rule's globs then pick its files.
    const found = await sourceFiles(
      ctx.workspace,
      { path: path ?? loaded.base, extensions: [''], maxFiles: MAX_FILES },
      ctx.signal,
    )
    const report = await checkFiles(loaded, {
      files: found.files,
      read: (file) => ctx.workspace.readDiskText(file, ctx.signal),
      display: (file) => ctx.workspace.display(file),
      trusted: (dir) => ctx.settings.projectTrusted(dir) || ctx.settings.projectTrusted(ctx.project.root),
      signal: ctx.signal,
      ...(rule ? { rule } : {}),
    })
    return {
      rulesFile: report.file,
      issues: report.issues,
      filesChecked: report.checked.length,
      notes: found.truncated
        ? [...report.notes, `only the first ${MAX_FILES} files were checked`]
        : report.notes,
      truncated: report.truncated || found.truncated,
    }
  },
})

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
