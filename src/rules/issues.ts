// What a rule reports, typed, and how a list of them reads to the model. Pure.
import type { Severity } from './severity.js'

export interface RuleIssue {
  rule: string
  severity: Severity
  /** As the workspace displays it: relative to the root when inside it. */
  file: string
  line?: number
  column?: number
  message: string
  suggestion?: string
}

/** What one run of the rules found, and what kept a rule from running (said, never silent). */
export interface RulesReport {
  /** The rules file, as displayed. */
  file: string
  /** The files some rule applied to, as displayed. */
  checked: string[]
  issues: RuleIssue[]
  /** Problems in the rules file, rules not run (untrusted project, program missing) and failed commands. */
  notes: string[]
  truncated: boolean
}

/** Issues shown per report, at most; the count says how many more. */
export const MAX_ISSUES = 100

/** `{name}` in a rule's message or suggestion becomes that capture's (or group's) text; unknown names stay. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, key: string) => values[key] ?? whole)
}

export function issueLine(issue: RuleIssue): string {
  const at = [issue.file, issue.line, issue.line !== undefined ? issue.column : undefined]
    .filter((p) => p !== undefined)
    .join(':')
  return `${at}: ${issue.severity} [${issue.rule}] ${issue.message}${issue.suggestion ? ` Fix: ${issue.suggestion}` : ''}`
}

export function renderReport(report: RulesReport, heading: string): string {
  const lines = report.issues.map(issueLine)
  if (report.truncated) lines.push(`[more issues not shown: at most ${MAX_ISSUES}]`)
  return [heading, ...lines, ...report.notes.map((n) => `(${n})`)].join('\n')
}

/** Issues in a stable order: by file, then line, then column. */
export function sortIssues(issues: RuleIssue[]): RuleIssue[] {
  return issues.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  )
}
