// The schema of `.punie/rules.yaml`, and reading it into rules with every problem placed at its file and line.
// Pure: the text in, rules and problems out.
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { SEVERITIES, type Severity } from './severity.js'

export { SEVERITIES, type Severity }

/** A path into each output item, dotted (`location.row`); `items` says where the list of items is. */
const jsonMapping = z
  .object({
    items: z.string().optional(),
    file: z.string(),
    line: z.string().optional(),
    column: z.string().optional(),
    message: z.string(),
    rule: z.string().optional(),
    severity: z.string().optional(),
    suggestion: z.string().optional(),
  })
  .strict()

const common = {
  id: z.string().regex(/^[A-Za-z0-9_.:/-]+$/, 'an id is letters, digits and - _ . : /'),
  severity: z.enum(SEVERITIES).default('error'),
  /** Globs relative to the directory holding `.punie/`; which files the rule checks. */
  files: z.array(z.string().min(1)).min(1).optional(),
  message: z.string().min(1).optional(),
  suggestion: z.string().min(1).optional(),
}

const queryRule = z
  .object({
    ...common,
    message: z.string().min(1),
    /** A tree-sitter query over Python; the capture `@match` (else the first not starting with `_`) is where the issue is. */
    query: z.string().min(1),
    /** The matched node must contain a match of this query … */
    has: z.string().min(1).optional(),
    /** … must not contain one … */
    not_has: z.string().min(1).optional(),
    /** … must lie inside a node this query captures … */
    inside: z.string().min(1).optional(),
    /** … must not lie inside one. */
    not_inside: z.string().min(1).optional(),
    /** The match counts only when the text of this capture is a name the module neither imports nor defines. */
    unless_bound: z.string().min(1).optional(),
  })
  .strict()

const commandRule = z
  .object({
    ...common,
    /** argv, no shell: `{files}` becomes the checked files (several words), `{file}` runs once per file. */
    command: z.array(z.string()).min(1),
    parse: z.union([
      z
        .object({ regex: z.string().min(1), stream: z.enum(['stdout', 'stderr', 'both']).optional() })
        .strict(),
      z.object({ json: jsonMapping }).strict(),
    ]),
    timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  })
  .strict()

/** `line`: where the rule starts in its file, for problems found later (a query that does not compile). */
export type QueryRule = z.infer<typeof queryRule> & { kind: 'query'; line: number }
export type CommandRule = z.infer<typeof commandRule> & { kind: 'command'; line: number }
export type Rule = QueryRule | CommandRule

/** A problem in the rules file, where it is. */
export interface RulesProblem {
  file: string
  line: number
  message: string
}

export interface ParsedRules {
  rules: Rule[]
  problems: RulesProblem[]
}

const fileSchema = z.object({ rules: z.array(z.unknown()) }).strict()

/** Reads the file's text: each valid rule, and each problem (a bad rule is skipped, the others still count). */
export function parseRulesFile(text: string, file: string): ParsedRules {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  if (doc.errors.length) {
    return {
      rules: [],
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line ?? 1,
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    }
  }
  const lineOf = (path: readonly (string | number)[]): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  const top = fileSchema.safeParse(doc.toJS() ?? {})
  if (!top.success) return { rules: [], problems: zodProblems(top.error, [], file, lineOf) }
  const rules: Rule[] = []
  const problems: RulesProblem[] = []
  const ids = new Set<string>()
  top.data.rules.forEach((raw, index) => {
    const at = ['rules', index]
    const isCommand = typeof raw === 'object' && raw !== null && 'command' in raw
    const parsed = (isCommand ? commandRule : queryRule).safeParse(raw)
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, at, file, lineOf))
      return
    }
    if (ids.has(parsed.data.id)) {
      problems.push({
        file,
        line: lineOf([...at, 'id']),
        message: `rule "${parsed.data.id}" is defined twice`,
      })
      return
    }
    ids.add(parsed.data.id)
    rules.push({ ...parsed.data, kind: isCommand ? 'command' : 'query', line: lineOf(at) } as Rule)
  })
  return { rules, problems }
}

function zodProblems(
  error: z.ZodError,
  at: (string | number)[],
  file: string,
  lineOf: (path: readonly (string | number)[]) => number,
): RulesProblem[] {
  return error.issues.map((issue) => {
    const path = [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))]
    const where = at.length ? `rule ${Number(at[1]) + 1}, ` : ''
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ')
      return { file, line: lineOf([...path, issue.keys[0] ?? '']), message: `${where}unknown field ${keys}` }
    }
    const field = issue.path.length ? `field "${issue.path.join('.')}"` : 'this entry'
    const what = issue.message.replace(/^Invalid input: /, '')
    return { file, line: lineOf(path), message: `${where}${field}: ${what}` }
  })
}
