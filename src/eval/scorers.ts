// Scorers: each judges one aspect of a case's run from 0 to 1, or does not apply. A case's score is the mean of
// those that apply; it passes at or above the suite's threshold, and only when the answer states every fact and
// the workspace passes every check: the right tools with a wrong answer is a failed case.
import { exec } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { normalize, relative, resolve } from 'node:path'
import { EXECUTE_CODE } from '../codemode/execute-code.js'
import { TOOL_HELP } from '../codemode/tool-help.js'
import { describeFact, type Fact, factFound } from './facts.js'
import { type ArgMatcher, type EvalCase, expectedToolNames, type FileCheck } from './suite.js'
import type { CaseTrace, TracedCall } from './trace.js'

export interface ScoreDetail {
  score: number
  detail: string
}

export type ScorerName =
  | 'tool_selection'
  | 'forbidden'
  | 'arguments'
  | 'code_calls'
  | 'discrimination'
  | 'facts'
  | 'outcome'

export interface CaseScores {
  score: number
  passed: boolean
  scores: Partial<Record<ScorerName, ScoreDetail>>
}

export interface OutcomeContext {
  /** The case's workspace after the run. */
  workspace: string
  /** Its files before the run, for `unchanged` checks. */
  before: Record<string, string>
}

/**
 * Tool names the run called, for precision and recall. Calls made from Code Mode count as calls of their own, and
 * the execute_code wrapper does not, unless the case expects execute_code itself: then the code's calls are
 * judged by `code_calls` instead. Looking a tool up with tool_help is neither right nor wrong.
 */
export function calledTools(trace: CaseTrace, expected: readonly string[]): string[] {
  const wantsCode = expected.includes(EXECUTE_CODE)
  return trace.calls
    .filter((c) => (wantsCode ? c.parentId === undefined : c.name !== EXECUTE_CODE))
    .filter((c) => c.name !== TOOL_HELP || expected.includes(TOOL_HELP))
    .map((c) => c.name)
}

export function toolSelection(c: EvalCase, trace: CaseTrace): ScoreDetail | undefined {
  const expected = [...new Set(expectedToolNames(c.expect))]
  if (!expected.length) return undefined
  const called = new Set(calledTools(trace, expected))
  const hits = expected.filter((name) => called.has(name)).length
  const precision = called.size ? [...called].filter((n) => expected.includes(n)).length / called.size : 0
  const recall = hits / expected.length
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
  return {
    score: f1,
    detail: `precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)} (expected ${expected.join(', ')}; called ${[...called].join(', ') || 'nothing'})`,
  }
}

export function forbidden(c: EvalCase, trace: CaseTrace): ScoreDetail | undefined {
  const names = c.expect.forbid
  if (!names?.length) return undefined
  const used = [...new Set(trace.calls.map((t) => t.name).filter((n) => names.includes(n)))]
  return {
    score: used.length ? 0 : 1,
    detail: used.length ? `called forbidden ${used.join(', ')}` : 'none called',
  }
}

export function argumentsMatch(c: EvalCase, trace: CaseTrace, workspace: string): ScoreDetail | undefined {
  const withArgs = (c.expect.tools ?? []).filter((t) => typeof t !== 'string' && t.args)
  if (!withArgs.length) return undefined
  const misses: string[] = []
  let matched = 0
  for (const tool of withArgs) {
    if (typeof tool === 'string' || !tool.args) continue
    const args = tool.args
    const ok = trace.calls.some((call) => call.name === tool.name && argsMatch(call, args, workspace))
    if (ok) matched++
    else misses.push(tool.name)
  }
  return {
    score: matched / withArgs.length,
    detail: misses.length ? `no call of ${misses.join(', ')} had the expected arguments` : 'all matched',
  }
}

function argsMatch(call: TracedCall, expected: Record<string, ArgMatcher>, workspace: string): boolean {
  const args = (call.args ?? {}) as Record<string, unknown>
  return Object.entries(expected).every(([key, matcher]) => valueMatches(args[key], matcher, workspace))
}

export function valueMatches(actual: unknown, matcher: ArgMatcher, workspace: string): boolean {
  if (typeof matcher === 'object') {
    // A list or object argument (a plan's entries) is searched in its JSON text.
    const text =
      typeof actual === 'string' ? actual : actual === undefined ? undefined : JSON.stringify(actual)
    if (text === undefined) return false
    return 'contains' in matcher ? text.includes(matcher.contains) : new RegExp(matcher.matches).test(text)
  }
  if (typeof matcher !== 'string' || typeof actual !== 'string') return actual === matcher
  return actual.trim() === matcher || samePath(actual, matcher, workspace)
}

/** `./a.py`, `a.py` and `/abs/workspace/a.py` name the same file. */
function samePath(a: string, b: string, workspace: string): boolean {
  const inside = (p: string) => normalize(relative(workspace, resolve(workspace, p.trim())))
  return inside(a) === inside(b)
}

export function codeCalls(c: EvalCase, trace: CaseTrace): ScoreDetail | undefined {
  const expected = c.expect.code_calls
  if (!expected?.length) return undefined
  const inside = new Set(trace.calls.filter((t) => t.parentId).map((t) => t.name))
  const missing = expected.filter((name) => !inside.has(name))
  return {
    score: (expected.length - missing.length) / expected.length,
    detail: missing.length ? `not called from code: ${missing.join(', ')}` : 'all called from code',
  }
}

/** Did the run call tools exactly when it should have? */
export function discrimination(c: EvalCase, trace: CaseTrace): ScoreDetail | undefined {
  const wantsTools = expectedToolNames(c.expect).length > 0 || (c.expect.code_calls?.length ?? 0) > 0
  if (!wantsTools && !c.expect.no_tools) return undefined
  const usedTools = trace.calls.length > 0
  const right = usedTools === wantsTools
  return {
    score: right ? 1 : 0,
    detail: `${usedTools ? 'called tools' : 'answered directly'}; ${wantsTools ? 'tools were expected' : 'no tool was expected'}`,
  }
}

/** The facts a case's answer must state (`facts`, and the older `answer_contains`). */
export function caseFacts(c: EvalCase): Fact[] {
  return [...(c.expect.facts ?? []), ...(c.expect.answer_contains ?? [])]
}

export function facts(c: EvalCase, trace: CaseTrace): ScoreDetail | undefined {
  const wanted = caseFacts(c)
  if (!wanted.length) return undefined
  const missing = wanted.filter((f) => !factFound(trace.answer, f))
  return {
    score: (wanted.length - missing.length) / wanted.length,
    detail: missing.length
      ? `answer lacks ${missing.map(describeFact).join(', ')}`
      : `all ${wanted.length} facts stated`,
  }
}

export async function outcome(c: EvalCase, context: OutcomeContext): Promise<ScoreDetail | undefined> {
  const checks: Promise<string | undefined>[] = (c.expect.files ?? []).map((check) =>
    fileCheck(check, context),
  )
  if (c.expect.check) checks.push(shellCheck(c.expect.check, context.workspace))
  if (!checks.length) return undefined
  const failures = (await Promise.all(checks)).filter((f): f is string => f !== undefined)
  return {
    score: (checks.length - failures.length) / checks.length,
    detail: failures.length ? failures.join('; ') : `${checks.length} checks passed`,
  }
}

async function fileCheck(check: FileCheck, context: OutcomeContext): Promise<string | undefined> {
  const text = await readFile(resolve(context.workspace, check.path), 'utf8').catch(() => undefined)
  if (check.exists !== undefined && (text !== undefined) !== check.exists) {
    return `${check.path} ${check.exists ? 'does not exist' : 'exists'}`
  }
  if (check.unchanged && text !== context.before[check.path]) return `${check.path} changed`
  for (const needle of [check.contains ?? []].flat()) {
    if (!text?.includes(needle)) return `${check.path} lacks ${JSON.stringify(needle)}`
  }
  for (const needle of [check.not_contains ?? []].flat()) {
    if (text?.includes(needle)) return `${check.path} still has ${JSON.stringify(needle)}`
  }
  return undefined
}

export function shellCheck(command: string, cwd: string): Promise<string | undefined> {
  return new Promise((done) => {
    exec(command, { cwd, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return done(undefined)
      const why = error.killed ? 'timed out' : `exit ${error.code}`
      done(
        `\`${command}\` failed (${why})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`,
      )
    })
  })
}

export async function scoreCase(c: EvalCase, trace: CaseTrace, context: OutcomeContext): Promise<CaseScores> {
  const scores: Partial<Record<ScorerName, ScoreDetail>> = {}
  const set = (name: ScorerName, detail: ScoreDetail | undefined) => {
    if (detail) scores[name] = detail
  }
  set('tool_selection', toolSelection(c, trace))
  set('forbidden', forbidden(c, trace))
  set('arguments', argumentsMatch(c, trace, context.workspace))
  set('code_calls', codeCalls(c, trace))
  set('discrimination', discrimination(c, trace))
  set('facts', facts(c, trace))
  set('outcome', await outcome(c, context))
  const values = Object.values(scores).map((s) => s.score)
  const score = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0
  // A forbidden call, a missing fact or a failed file check fails the case whatever else went right.
  const gates = [scores.forbidden, scores.facts, scores.outcome].every(
    (s) => s === undefined || s.score === 1,
  )
  return { score, passed: gates && score >= c.passThreshold - 1e-9, scores }
}
