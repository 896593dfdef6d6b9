// Evaluation suites: YAML files of cases, each a prompt, an optional workspace to create, and what a good run
// looks like. Validated with zod; every error names the file and line.
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
  cases: EvalCase[]
}

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
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const yamlError = doc.errors[0]
  if (yamlError) {
    const at = lines.linePos(yamlError.pos[0])
    throw new SuiteError(`${path}${at ? `:${at.line}:${at.col}` : ''}: ${yamlError.message.split('\n')[0]}`)
  }
  const parsed = suiteSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => {
      const node = nearestNode(doc, issue.path as (string | number)[])
      const at = node?.range ? lines.linePos(node.range[0]) : undefined
      const where = issue.path.length ? ` (${issue.path.join('.')})` : ''
      return `${path}${at ? `:${at.line}:${at.col}` : ''}: ${issue.message}${where}`
    })
    throw new SuiteError(problems.join('\n'))
  }
  const suite = parsed.data
  const ids = new Set<string>()
  for (const c of suite.cases) {
    if (ids.has(c.id)) throw new SuiteError(`${path}: two cases have the id "${c.id}"`)
    ids.add(c.id)
  }
  return {
    name: suite.suite ?? basename(path, extname(path)),
    ...(suite.description ? { description: suite.description } : {}),
    path,
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
  }
}

/** The YAML node at `path`, or the deepest ancestor that exists (a missing key is reported at its parent). */
function nearestNode(doc: ReturnType<typeof parseDocument>, path: (string | number)[]) {
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
