// A project's rules (`.punie/rules.yaml`): found beside the session's cwd or at its project root, read and
// compiled again only when the file changes, and run over files. Query rules only read code, so they always
// run; a command rule starts a program the repository chose, so it runs only in a project the user trusts.
import { readFile, stat } from 'node:fs/promises'
import { dirname, relative } from 'node:path'
import picomatch from 'picomatch'
import { loadPython, type PythonSyntax } from '../devtools/python-syntax.js'
import { runCommandRule } from './command-rules.js'
import { MAX_ISSUES, type RuleIssue, type RulesReport, sortIssues } from './issues.js'
import { findRulesFile, rulesDirs } from './locate.js'

import { type CompiledQueryRule, compileQueryRule, deleteCompiled, queryIssues } from './query-rules.js'
import { type CommandRule, parseRulesFile, type RulesProblem } from './schema.js'

export interface LoadedRules {
  file: string
  /** The directory holding `.punie/`: globs are relative to it, commands run in it. */
  base: string
  query: CompiledQueryRule[]
  command: CommandRule[]
  problems: RulesProblem[]
  syntax: PythonSyntax
  stamp: string
}

/** Query rules check Python files; a rule's `files` narrows or widens that. */
const DEFAULT_QUERY_FILES = ['**/*.py', '**/*.pyi']
const DEFAULT_COMMAND_FILES = ['**/*']

/** The rules of one session's directories, reloaded when the file changes; held for the project (a memo). */
export class ProjectRules {
  private loaded: Promise<LoadedRules | undefined> | undefined
  private stamp: string | undefined

  constructor(private readonly dirs: readonly string[]) {}

  async current(): Promise<LoadedRules | undefined> {
    const file = findRulesFile(this.dirs)
    if (!file) return undefined
    const info = await stat(file).catch(() => undefined)
    const stamp = `${file}:${info?.mtimeMs}:${info?.size}`
    if (!this.loaded || this.stamp !== stamp) {
      const previous = this.loaded
      this.stamp = stamp
      this.loaded = load(file, stamp)
      void previous?.then((old) => old && deleteCompiled(old.query)).catch(() => undefined)
    }
    return this.loaded
  }

  async dispose(): Promise<void> {
    const loaded = await this.loaded?.catch(() => undefined)
    if (loaded) deleteCompiled(loaded.query)
    this.loaded = undefined
  }
}

async function load(file: string, stamp: string): Promise<LoadedRules> {
  const base = dirname(dirname(file))
  const syntax = await loadPython()
  const text = await readFile(file, 'utf8').catch(() => '')
  const parsed = parseRulesFile(text, file)
  const problems = [...parsed.problems]
  const query: CompiledQueryRule[] = []
  const command: CommandRule[] = []
  for (const rule of parsed.rules) {
    if (rule.kind === 'command') {
      command.push(rule)
      continue
    }
    try {
      query.push(compileQueryRule(syntax, rule))
    } catch (error) {
      problems.push({ file, line: rule.line, message: `rule "${rule.id}": ${(error as Error).message}` })
    }
  }
  return { file, base, query, command, problems, syntax, stamp }
}

export interface CheckOptions {
  /** Absolute paths of the files to check. */
  files: readonly string[]
  read(file: string): Promise<string>
  display(absolute: string): string
  /** Whether the user trusts the project at this directory (`punie trust`). */
  trusted(dir: string): boolean
  signal: AbortSignal
  /** Only this rule. */
  rule?: string
}

/** Runs every rule whose globs match over the files it covers; what could not run is a note. */
export async function checkFiles(loaded: LoadedRules, options: CheckOptions): Promise<RulesReport> {
  const notes = loaded.problems.map((p) => `${options.display(p.file)}:${p.line}: ${p.message}`)
  const wanted = <R extends { rule: { id: string } } | { id: string }>(r: R) => {
    const id = 'rule' in r ? r.rule.id : r.id
    return options.rule === undefined || id === options.rule
  }
  const queryRules = loaded.query.filter(wanted)
  const commandRules = loaded.command.filter(wanted)
  if (options.rule !== undefined && !queryRules.length && !commandRules.length)
    notes.push(`no rule "${options.rule}" in ${options.display(loaded.file)}`)
  const inBase = options.files
    .map((file) => ({ file, rel: relative(loaded.base, file) }))
    .filter((f) => f.rel && !f.rel.startsWith('..'))
  const issues: RuleIssue[] = []
  const checked = new Set<string>()
  const matcher = (globs: readonly string[]) => picomatch([...globs], { dot: true })
  const queryMatchers = queryRules.map((r) => matcher(r.rule.files ?? DEFAULT_QUERY_FILES))
  for (const { file, rel } of inBase) {
    const applicable = queryRules.filter((_, i) => queryMatchers[i]?.(rel))
    if (!applicable.length) continue
    options.signal.throwIfAborted()
    const text = await options.read(file).catch(() => undefined)
    if (text === undefined || text.includes('\0')) continue
    checked.add(file)
    issues.push(...queryIssues(loaded.syntax, applicable, text, options.display(file)))
  }
  const commands = commandRules
    .map((rule) => {
      const match = matcher(rule.files ?? DEFAULT_COMMAND_FILES)
      return { rule, files: inBase.filter((f) => match(f.rel)).map((f) => f.file) }
    })
    .filter((c) => c.files.length > 0)
  if (commands.length && !options.trusted(loaded.base)) {
    notes.push(
      `command rules not run (${commands.map((c) => c.rule.id).join(', ')}): they start programs, and ${loaded.base} is not a trusted project; if you trust it, run \`punie trust ${loaded.base}\``,
    )
  } else {
    for (const { rule, files } of commands) {
      const outcome = await runCommandRule(rule, loaded.base, files, options.display, options.signal)
      for (const file of files) checked.add(file)
      // A command that checks the whole project reports on other files too: only the checked ones count.
      const shown = new Set(files.map(options.display))
      issues.push(...outcome.issues.filter((i) => shown.has(i.file)))
      notes.push(...outcome.notes)
    }
  }
  const sorted = sortIssues(issues)
  return {
    file: options.display(loaded.file),
    checked: [...checked].map(options.display),
    issues: sorted.slice(0, MAX_ISSUES),
    notes,
    truncated: sorted.length > MAX_ISSUES,
  }
}

/** The memo key and directories of a session's rules: its cwd first, then its project root. */
export function rulesFor(
  scope: { memo<T>(key: string, make: () => T): T },
  cwd: string,
  root: string,
): ProjectRules {
  return scope.memo(`rules:${cwd}`, () => new ProjectRules(rulesDirs(cwd, root)))
}
