// Evaluation suites: YAML files of cases, each a prompt, an optional workspace to create, and what a good run
// looks like. Validated with zod; every error names the file and line.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { TOOL_MODES } from '../tools/tool-mode.js'

const argMatcher = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.strictObject({ contains: z.string() }),
  z.strictObject({ matches: z.string() }),
])

const expectedTool = z.union([
  z.string(),
  z.strictObject({ name: z.string(), args: z.record(z.string(), argMatcher).optional() }),
])

const fact = z.union([
  z.string().min(1),
  z.number(),
  z.strictObject({ matches: z.string().min(1) }),
  z.strictObject({ any: z.array(z.union([z.string().min(1), z.number()])).min(1) }),
])

const fileCheck = z
  .strictObject({
    path: z.string(),
    exists: z.boolean().optional(),
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    not_contains: z.union([z.string(), z.array(z.string())]).optional(),
    unchanged: z.boolean().optional(),
  })
  .refine((c) => c.exists !== undefined || c.contains || c.not_contains || c.unchanged, {
    message: 'a file check needs exists, contains, not_contains or unchanged',
  })

const expectations = z
  .strictObject({
    tools: z.array(expectedTool).optional(),
    forbid: z.array(z.string()).optional(),
    code_calls: z.array(z.string()).optional(),
    no_tools: z.boolean().optional(),
    /** Facts the answer must state; without every one the case fails, whatever else went right. */
    facts: z.array(fact).optional(),
    /** The older spelling of `facts`, for strings. */
    answer_contains: z.array(z.string()).optional(),
    files: z.array(fileCheck).optional(),
    check: z.string().optional(),
  })
  .refine((e) => Object.values(e).some((v) => v !== undefined), {
    message: 'expect needs at least one check',
  })
  .refine((e) => !(e.no_tools && (e.tools?.length || e.code_calls?.length)), {
    message: 'no_tools contradicts tools / code_calls',
  })

const caseSchema = z.strictObject({
  id: z.string().regex(/^[\w.-]+$/, 'use letters, digits, ".", "_" and "-"'),
  category: z.string().min(1),
  prompt: z.string().min(1),
  workspace: z
    .strictObject({ files: z.record(z.string(), z.string()).optional(), setup: z.string().optional() })
    .optional(),
  tool_mode: z.enum(TOOL_MODES).optional(),
  timeout_s: z.number().positive().optional(),
  expect: expectations,
})

const suiteSchema = z.strictObject({
  suite: z.string().min(1).optional(),
  description: z.string().optional(),
  pass_threshold: z.number().min(0).max(1).optional(),
  tool_mode: z.enum(TOOL_MODES).optional(),
  timeout_s: z.number().positive().optional(),
  /** MCP servers whose tools (`<server>__<tool>`) the cases may expect. */
  mcp_servers: z
    .array(z.string().regex(/^[\w-]+$/, 'an MCP server name: letters, digits, "_" and "-"'))
    .optional(),
  cases: z.array(caseSchema).min(1),
})

export type ArgMatcher = z.infer<typeof argMatcher>
export type FileCheck = z.infer<typeof fileCheck>
export type Expectations = z.infer<typeof expectations>

export interface EvalCase {
  id: string
  category: string
  prompt: string
  files: Record<string, string>
  /** A shell command run in the workspace before the prompt (git init, say). */
  setup?: string
  toolMode: (typeof TOOL_MODES)[number]
  timeoutMs: number
  passThreshold: number
  expect: Expectations
}

export interface Suite {
  name: string
  description?: string
  path: string
  /** sha256 of the file's text (first 16 hex digits): two runs of one suite name may have judged differently. */
  hash: string
  mcpServers: string[]
  cases: EvalCase[]
}

/** Where in a suite file something is wrong, and what. */
export interface SuiteProblem {
  path: string
  line?: number
  col?: number
  message: string
}

export const problemText = (p: SuiteProblem) =>
  `${p.path}${p.line !== undefined ? `:${p.line}:${p.col ?? 1}` : ''}: ${p.message}`

export const DEFAULT_PASS_THRESHOLD = 0.75
const DEFAULT_TIMEOUT_S = 120

export class SuiteError extends Error {
  override name = 'SuiteError'
}

export function loadSuite(path: string): Suite {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new SuiteError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`)
  }
  return parseSuite(text, path)
}

export function parseSuite(text: string, path: string): Suite {
  const checked = checkSuite(text, path)
  if (!checked.suite || checked.problems.length)
    throw new SuiteError(checked.problems.map(problemText).join('\n'))
  return checked.suite
}

export type SuiteDocument = ReturnType<typeof parseDocument>

export interface CheckedSuite {
  /** Undefined when the file is not a suite at all (bad YAML, schema errors). */
  suite?: Suite
  problems: SuiteProblem[]
  /** The line of the node at a path in the document, or of its nearest ancestor. */
  at: (nodePath: (string | number)[]) => { line: number; col: number } | undefined
}

/** Every problem of a suite file in one pass: YAML syntax, the schema, duplicate ids. */
export function checkSuite(text: string, path: string): CheckedSuite {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const at = (nodePath: (string | number)[]) => {
    const node = nearestNode(doc, nodePath)
    return node?.range ? lines.linePos(node.range[0]) : undefined
  }
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => ({
      path,
      ...lines.linePos(e.pos[0]),
      message: e.message.split('\n')[0] ?? 'YAML error',
    }))
    return { problems, at }
  }
  const parsed = suiteSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length ? ` (${issue.path.join('.')})` : ''
      return { path, ...at(issue.path as (string | number)[]), message: `${issue.message}${where}` }
    })
    return { problems, at }
  }
  const suite = parsed.data
  const problems: SuiteProblem[] = []
  const ids = new Set<string>()
  suite.cases.forEach((c, i) => {
    if (ids.has(c.id))
      problems.push({ path, ...at(['cases', i, 'id']), message: `two cases have the id "${c.id}"` })
    ids.add(c.id)
  })
  return {
    problems,
    at,
    suite: {
      name: suite.suite ?? basename(path, extname(path)),
      ...(suite.description ? { description: suite.description } : {}),
      path,
      hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
      mcpServers: suite.mcp_servers ?? [],
      cases: suite.cases.map((c) => ({
        id: c.id,
        category: c.category,
        prompt: c.prompt,
        files: c.workspace?.files ?? {},
        ...(c.workspace?.setup ? { setup: c.workspace.setup } : {}),
        toolMode: c.tool_mode ?? suite.tool_mode ?? 'both',
        timeoutMs: (c.timeout_s ?? suite.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000,
        passThreshold: suite.pass_threshold ?? DEFAULT_PASS_THRESHOLD,
        expect: c.expect,
      })),
    },
  }
}

/** The YAML node at `path`, or the deepest ancestor that exists (a missing key is reported at its parent). */
function nearestNode(doc: SuiteDocument, path: (string | number)[]) {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (node && typeof node === 'object' && 'range' in node)
      return node as { range?: [number, number, number] }
  }
  return undefined
}

/** Names of the tools a case expects, whether given as names or with arguments. */
export function expectedToolNames(expect: Expectations): string[] {
  return (expect.tools ?? []).map((t) => (typeof t === 'string' ? t : t.name))
}
