// Runs a command rule: its argv (no shell) with the checked files put in, under a deadline, and its output
// parsed into typed issues by a regular expression with named groups or by a JSON mapping. The parsing is pure.
import { isAbsolute, relative, resolve } from 'node:path'
import { DevtoolError, runProcess } from '../devtools/process.js'
import { unsafeRegexReason } from '../devtools/regex-safety.js'
import { fillTemplate, MAX_ISSUES, type RuleIssue } from './issues.js'
import { type CommandRule, SEVERITIES, type Severity } from './schema.js'

/** The part of a command's output that is parsed; a linter printing more than this is cut. */
export const MAX_PARSED_OUTPUT = 1024 * 1024

const FILES_PER_RUN = 200
/** What of each output line the regex sees. */
const MAX_LINE = 2000

/** A checked file as a command-line word: relative to the rule's directory, never read as an option. */
export function fileWord(base: string, file: string): string {
  const rel = relative(base, file) || '.'
  return rel.startsWith('-') ? `./${rel}` : rel
}

/** The argv runs: one with every file for `{files}`, one per file for `{file}`, else one for the project. */
export function commandLines(rule: CommandRule, base: string, files: readonly string[]): string[][] {
  const words = files.map((f) => fileWord(base, f))
  if (rule.command.some((w) => w.includes('{file}')))
    return words.map((word) => rule.command.map((w) => w.replaceAll('{file}', word)))
  if (rule.command.includes('{files}')) {
    // In batches, so that a whole project's files never make a command line too long.
    const lines: string[][] = []
    for (let i = 0; i < words.length; i += FILES_PER_RUN)
      lines.push(rule.command.flatMap((w) => (w === '{files}' ? words.slice(i, i + FILES_PER_RUN) : [w])))
    return lines
  }
  return [rule.command]
}

export interface RawIssue {
  file?: string
  line?: number
  column?: number
  message?: string
  rule?: string
  severity?: string
  suggestion?: string
}

/** Each line the regex matches, its named groups read as an issue's fields. Throws for an invalid regex. */
export function parseRegexOutput(pattern: string, output: string): RawIssue[] {
  const why = unsafeRegexReason(pattern)
  if (why) throw new Error(`the regex may take exponential time (${why}): simplify it`)
  const regex = new RegExp(pattern)
  const found: RawIssue[] = []
  for (const line of output.split(/\r?\n/)) {
    // Lines are matched on the agent's thread: a bounded line bounds what a pattern can cost.
    const groups = regex.exec(line.slice(0, MAX_LINE))?.groups
    if (!groups) continue
    found.push(rawFrom((key) => groups[key]))
    if (found.length > MAX_ISSUES * 10) break
  }
  return found
}

type JsonMapping = Extract<CommandRule['parse'], { json: unknown }>['json']

/** The items at `mapping.items` (or the whole output), each field read at its dotted path. */
export function parseJsonOutput(mapping: JsonMapping, output: string): RawIssue[] {
  const trimmed = output.trim()
  if (!trimmed) return []
  const value: unknown = JSON.parse(trimmed)
  const items = mapping.items ? at(value, mapping.items) : value
  if (!Array.isArray(items)) throw new Error(`the output has no list at "${mapping.items ?? '(top)'}"`)
  return items.slice(0, MAX_ISSUES * 10).map((item) =>
    rawFrom((key) => {
      const path = mapping[key as keyof JsonMapping]
      if (path === undefined) return undefined
      const v = at(item, path)
      return v === undefined || v === null ? undefined : String(v)
    }),
  )
}

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      value,
    )
}

function rawFrom(get: (key: string) => string | undefined): RawIssue {
  const number = (key: string) => {
    const n = Number.parseInt(get(key) ?? '', 10)
    return Number.isFinite(n) ? n : undefined
  }
  const raw: RawIssue = {}
  for (const key of ['file', 'message', 'rule', 'severity', 'suggestion'] as const) {
    const v = get(key)
    if (v !== undefined && v !== '') raw[key] = v
  }
  const line = number('line')
  const column = number('column')
  if (line !== undefined) raw.line = line
  if (column !== undefined) raw.column = column
  return raw
}

/** A parsed item as an issue of the rule: the rule's message and severity where the output gives none. */
export function toIssue(
  rule: CommandRule,
  raw: RawIssue,
  base: string,
  display: (absolute: string) => string,
): RuleIssue | undefined {
  if (!raw.file) return undefined
  const absolute = isAbsolute(raw.file) ? raw.file : resolve(base, raw.file)
  const values: Record<string, string> = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, String(v)]),
  )
  // The rule's message, when it has one, may quote the output's fields: "{message} ({rule})".
  const message = rule.message ? fillTemplate(rule.message, values) : raw.message
  if (!message) return undefined
  const severity = (SEVERITIES as readonly string[]).includes(raw.severity?.toLowerCase() ?? '')
    ? (raw.severity?.toLowerCase() as Severity)
    : rule.severity
  const suggestion = raw.suggestion ?? (rule.suggestion ? fillTemplate(rule.suggestion, values) : undefined)
  return {
    rule: raw.rule ? `${rule.id}/${raw.rule}` : rule.id,
    severity,
    file: display(absolute),
    ...(raw.line !== undefined ? { line: raw.line } : {}),
    ...(raw.column !== undefined ? { column: raw.column } : {}),
    message,
    ...(suggestion ? { suggestion } : {}),
  }
}

export interface CommandOutcome {
  issues: RuleIssue[]
  notes: string[]
}

/** Runs the rule over the files and parses what it prints; a failure is a note, never a throw. */
export async function runCommandRule(
  rule: CommandRule,
  base: string,
  files: readonly string[],
  display: (absolute: string) => string,
  signal: AbortSignal,
): Promise<CommandOutcome> {
  const issues: RuleIssue[] = []
  const notes: string[] = []
  for (const argv of commandLines(rule, base, files)) {
    const [program, ...args] = argv as [string, ...string[]]
    let output: string
    try {
      const result = await runProcess(program, args, {
        cwd: base,
        timeoutMs: rule.timeout_ms,
        signal,
        tool: `rule ${rule.id} (${program})`,
      })
      const stream = 'regex' in rule.parse ? (rule.parse.stream ?? 'stdout') : 'stdout'
      output = (
        stream === 'stdout'
          ? result.stdout
          : stream === 'stderr'
            ? result.stderr
            : `${result.stdout}\n${result.stderr}`
      ).slice(0, MAX_PARSED_OUTPUT)
      const raw =
        'regex' in rule.parse
          ? parseRegexOutput(rule.parse.regex, output)
          : parseJsonOutput(rule.parse.json, output)
      for (const item of raw) {
        const issue = toIssue(rule, item, base, display)
        if (issue) issues.push(issue)
      }
      if (!raw.length && result.exitCode !== 0 && result.stderr.trim())
        notes.push(
          `rule ${rule.id}: ${program} exited with ${result.exitCode ?? result.signal}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
        )
    } catch (error) {
      if (signal.aborted) throw error
      notes.push(
        error instanceof DevtoolError
          ? `rule ${rule.id}: ${error.message}`
          : `rule ${rule.id}: could not read the output of ${program}: ${(error as Error).message}`,
      )
    }
  }
  return { issues, notes }
}
