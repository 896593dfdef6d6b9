// Runs suites: every case, `repeat` times, each in a fresh temp workspace, through the same session core as the
// IDE (local workspace, yolo permissions), `concurrency` at a time. Each result is stored as soon as it is known,
// so an interrupted run resumes where it stopped.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { ClosableCore } from '../core/core.js'
import type { AgentEvent, StopReason } from '../session/events.js'
import type { EvalStore } from '../store/eval-store.js'
import { type CaseScores, scoreCase, shellCheck } from './scorers.js'
import type { EvalCase, Suite } from './suite.js'
import { type CaseTrace, traceFrom } from './trace.js'

export interface RunConfig {
  /** Suite files, as given (resolved to absolute paths). */
  suites: string[]
  repeat: number
  concurrency: number
  temperature?: number
  seed?: number
  topP?: number
  /** The most tokens one model answer may have. */
  maxTokens?: number
  /** Overrides the suites' per-case timeouts. */
  timeoutMs?: number
  /** Each suite's name, file hash and case ids when the run started: what makes two runs comparable. */
  suiteInfo?: SuiteInfo[]
}

export interface SuiteInfo {
  name: string
  hash: string
  cases: string[]
}

export const suiteInfoOf = (suite: Suite): SuiteInfo => ({
  name: suite.name,
  hash: suite.hash,
  cases: suite.cases.map((c) => c.id),
})

export interface CaseResult extends CaseScores {
  suite: string
  caseId: string
  category: string
  attempt: number
  prompt: string
  answer: string
  toolCalls: { name: string; args: unknown; fromCode: boolean; ok?: boolean }[]
  stopReason?: StopReason
  /** Why the attempt could not be judged normally: a timeout, an unreachable model. */
  error?: string
  durationMs: number
  modelMs: number
  modelRequests: number
  tokens: number
  /** Absent in runs stored before it was recorded. */
  completionTokens?: number
}

export type ResultStore = EvalStore<RunConfig, CaseResult>

export interface RunnerOptions {
  runId: string
  suites: Suite[]
  config: RunConfig
  core: ClosableCore
  store: ResultStore
  /** Called after each attempt, with how many of the run's attempts are done. */
  onResult?: (result: CaseResult, done: number, total: number) => void
  signal?: AbortSignal
}

/** The sampling settings a run fixes, as the agent core's flags take them. */
export function samplingFlags(config: RunConfig): {
  temperature?: number
  seed?: number
  topP?: number
  maxTokens?: number
} {
  return {
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
    ...(config.seed !== undefined ? { seed: config.seed } : {}),
    ...(config.topP !== undefined ? { topP: config.topP } : {}),
    ...(config.maxTokens !== undefined ? { maxTokens: config.maxTokens } : {}),
  }
}

export const caseKey = (suite: string, caseId: string) => `${suite}/${caseId}`

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

interface Task {
  suite: Suite
  evalCase: EvalCase
  attempt: number
}

/** Runs what is not stored yet; resolves with how many attempts ran now. */
export async function runSuites(options: RunnerOptions): Promise<number> {
  const done = options.store.done(options.runId)
  const all: Task[] = options.suites.flatMap((suite) =>
    suite.cases.flatMap((evalCase) =>
      Array.from({ length: options.config.repeat }, (_, i) => ({ suite, evalCase, attempt: i + 1 })),
    ),
  )
  const todo = all.filter((t) => !done.has(`${caseKey(t.suite.name, t.evalCase.id)}#${t.attempt}`))
  let finished = all.length - todo.length
  let next = 0
  const worker = async () => {
    while (next < todo.length && !options.signal?.aborted) {
      const task = todo[next++] as Task
      const result = await runCase(task, options).catch((error: unknown) => failedAttempt(task, error))
      if (!result) return
      options.store.saveResult(
        options.runId,
        caseKey(task.suite.name, task.evalCase.id),
        task.attempt,
        result,
      )
      options.onResult?.(result, ++finished, all.length)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.config.concurrency) }, worker))
  return finished - (all.length - todo.length)
}

/** One attempt; undefined when the run was interrupted before it finished (it is not stored). */
async function runCase(task: Task, options: RunnerOptions): Promise<CaseResult | undefined> {
  const { evalCase } = task
  const started = performance.now()
  const workspace = mkdtempSync(join(tmpdir(), 'punie-eval-'))
  try {
    for (const [path, content] of Object.entries(evalCase.files)) {
      const absolute = resolve(workspace, path)
      mkdirSync(dirname(absolute), { recursive: true })
      writeFileSync(absolute, content)
    }
    const setupFailure = evalCase.setup ? await shellCheck(evalCase.setup, workspace) : undefined
    if (setupFailure) throw new Error(`workspace setup failed: ${setupFailure}`)
    const { manager } = options.core
    const session = manager.create({ cwd: workspace })
    const events: AgentEvent[] = []
    const unsubscribe = session.subscribe((event) => events.push(event))
    let timedOut = false
    const timeoutMs = options.config.timeoutMs ?? evalCase.timeoutMs
    const timer = setTimeout(() => {
      timedOut = true
      session.cancel()
    }, timeoutMs)
    const interrupt = () => session.cancel()
    options.signal?.addEventListener('abort', interrupt, { once: true })
    try {
      session.setToolMode(evalCase.toolMode)
      await session.prompt([{ type: 'text', text: evalCase.prompt }])
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', interrupt)
      unsubscribe()
    }
    const failure = session.lastFailure
    await manager.close(session.id)
    if (options.signal?.aborted && !timedOut) return undefined
    const trace = traceFrom(events)
    const scores = await scoreCase(evalCase, trace, { workspace, before: evalCase.files })
    const error = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : failure
    return toResult(task, trace, error ? { ...scores, passed: false } : scores, {
      durationMs: performance.now() - started,
      ...(error ? { error } : {}),
    })
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
}

/** An attempt that could not run (its workspace setup failed, say): scored 0 with the reason. */
function failedAttempt(task: Task, error: unknown): CaseResult {
  const message = error instanceof Error ? error.message : String(error)
  const trace: CaseTrace = {
    calls: [],
    answer: '',
    modelRequests: 0,
    modelMs: 0,
    tokens: 0,
    completionTokens: 0,
  }
  return toResult(task, trace, { score: 0, passed: false, scores: {} }, { durationMs: 0, error: message })
}

function toResult(
  task: Task,
  trace: CaseTrace,
  scores: CaseScores,
  extra: { durationMs: number; error?: string },
): CaseResult {
  return {
    suite: task.suite.name,
    caseId: task.evalCase.id,
    category: task.evalCase.category,
    attempt: task.attempt,
    prompt: task.evalCase.prompt,
    ...scores,
    answer: trace.answer,
    toolCalls: trace.calls.map((c) => ({
      name: c.name,
      args: c.args,
      fromCode: c.parentId !== undefined,
      ...(c.ok !== undefined ? { ok: c.ok } : {}),
    })),
    ...(trace.stopReason ? { stopReason: trace.stopReason } : {}),
    ...extra,
    modelMs: trace.modelMs,
    modelRequests: trace.modelRequests,
    tokens: trace.tokens,
    completionTokens: trace.completionTokens,
  }
}
