// A suite checked against what a run can call: every tool a case expects, forbids or calls from code must exist,
// or the case judges nothing (a forbidden typo never fires; an expected one can never pass).
import { readFileSync } from 'node:fs'
import { EXECUTE_CODE } from '../codemode/execute-code.js'
import { TOOL_HELP } from '../codemode/tool-help.js'
import { builtinTools } from '../tools/builtin/index.js'
import { CALL_TOOL } from '../tools/call-tool.js'
import { checkSuite, type Suite, type SuiteProblem } from './suite.js'

/** The tools every session has: the built-ins, Code Mode and the two tools that reach the rest. */
export function knownToolNames(): Set<string> {
  return new Set([...builtinTools.map((t) => t.name), EXECUTE_CODE, TOOL_HELP, CALL_TOOL])
}

export interface ToolCheckOptions {
  known: ReadonlySet<string>
  /** Accept any `<server>__<tool>` name, not only those of the servers the suite declares. */
  allowMcp?: boolean
}

/** The MCP server a `<server>__<tool>` name belongs to, if it has that form. */
const mcpServerOf = (name: string) => /^([\w-]+?)__\w/.exec(name)?.[1]

export function unknownTool(name: string, suite: Suite, options: ToolCheckOptions): string | undefined {
  if (options.known.has(name)) return undefined
  const server = mcpServerOf(name)
  if (server && (options.allowMcp || suite.mcpServers.includes(server))) return undefined
  const close = [...options.known].filter((k) => similar(k, name))
  const hint = close.length
    ? ` (did you mean ${close.join(' or ')}?)`
    : server
      ? ` (an MCP tool: declare the server with mcp_servers: [${server}], or pass --allow-mcp)`
      : ''
  return `no tool named "${name}"${hint}`
}

/** Every problem of the files in one pass: each file's YAML and schema, then every tool name each case uses. */
export function suiteProblems(
  files: readonly { path: string; text: string }[],
  options: ToolCheckOptions,
): { suites: Suite[]; problems: SuiteProblem[] } {
  const suites: Suite[] = []
  const problems: SuiteProblem[] = []
  const names = new Map<string, string>()
  for (const { path, text } of files) {
    const checked = checkSuite(text, path)
    problems.push(...checked.problems)
    const suite = checked.suite
    if (!suite) continue
    const other = names.get(suite.name)
    if (other) problems.push({ path, message: `another suite file (${other}) is also named "${suite.name}"` })
    names.set(suite.name, path)
    suite.cases.forEach((c, i) => {
      const named: { name: string; at: (string | number)[] }[] = [
        ...(c.expect.tools ?? []).map((t, j) => ({
          name: typeof t === 'string' ? t : t.name,
          at: ['cases', i, 'expect', 'tools', j],
        })),
        ...(c.expect.forbid ?? []).map((name, j) => ({ name, at: ['cases', i, 'expect', 'forbid', j] })),
        ...(c.expect.code_calls ?? []).map((name, j) => ({
          name,
          at: ['cases', i, 'expect', 'code_calls', j],
        })),
      ]
      for (const { name, at } of named) {
        const why = unknownTool(name, suite, options)
        if (why) problems.push({ path, ...checked.at(at), message: `case ${c.id}: ${why}` })
      }
    })
    suites.push(suite)
  }
  return { suites, problems }
}

export function readSuiteFiles(paths: readonly string[]): {
  files: { path: string; text: string }[]
  problems: SuiteProblem[]
} {
  const files: { path: string; text: string }[] = []
  const problems: SuiteProblem[] = []
  for (const path of paths) {
    try {
      files.push({ path, text: readFileSync(path, 'utf8') })
    } catch (error) {
      problems.push({ path, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? error})` })
    }
  }
  return { files, problems }
}

/** At most two edits apart (a swap of neighbours is one), or one name inside the other: a typo worth naming. */
function similar(a: string, b: string): boolean {
  if (a.length > 3 && b.length > 3 && (a.includes(b) || b.includes(a))) return true
  if (Math.abs(a.length - b.length) > 2) return false
  // Damerau–Levenshtein over two rows back, enough for names of a few dozen characters.
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1)
      row.push(d)
    }
    before = previous
    previous = row
  }
  return (previous[b.length] ?? Number.POSITIVE_INFINITY) <= 2
}
