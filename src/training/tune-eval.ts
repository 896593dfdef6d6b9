// Scores one grid point with the eval runner, in this process: a fresh agent core at the point's sampling
// settings, the suites run `repeat` times per case, every attempt stored in the eval store under the point's own
// eval run (so `punie eval report RUN` shows it, and an interrupted point resumes attempt by attempt).
import { createAgentCore } from '../core/core.js'
import {
  type CaseResult,
  type ResultStore,
  type RunConfig,
  runSuites,
  samplingFlags,
  suiteInfoOf,
} from '../eval/runner.js'
import type { Suite } from '../eval/suite.js'
import type { Logger } from '../log/logger.js'
import type { Evaluate } from './tune.js'
import type { GridSpec, InferenceParams } from './tune-spec.js'

export interface InProcessEvalOptions {
  home: string
  /** The eval store's database file (the core's sessions go there too, as for `punie eval run`). */
  database: string
  store: ResultStore
  suites: Suite[]
  spec: GridSpec
  logger: Logger
  env: NodeJS.ProcessEnv
  /** Called after each attempt of the point being scored. */
  onAttempt?: (result: CaseResult, done: number, total: number) => void
}

export function runConfigFor(spec: GridSpec, inference: InferenceParams): RunConfig {
  return {
    suites: spec.suites,
    repeat: spec.repeat,
    concurrency: spec.jobs ?? 1,
    ...(inference.temperature !== undefined ? { temperature: inference.temperature } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    ...(inference.topP !== undefined ? { topP: inference.topP } : {}),
    ...(inference.maxTokens !== undefined ? { maxTokens: inference.maxTokens } : {}),
    ...(spec.timeout_s !== undefined ? { timeoutMs: spec.timeout_s * 1000 } : {}),
  }
}

export function inProcessEvaluator(o: InProcessEvalOptions): Evaluate {
  return async ({ point, model, evalRunId, signal }) => {
    const existing = o.store.getRun(evalRunId)
    const config = existing?.config ?? {
      ...runConfigFor(o.spec, point.inference),
      suiteInfo: o.suites.map(suiteInfoOf),
    }
    if (existing) o.store.setStatus(evalRunId, 'running')
    else o.store.createRun({ id: evalRunId, createdAt: Date.now(), status: 'running', model, config })
    const core = await createAgentCore({
      home: o.home,
      database: o.database,
      env: o.env,
      logger: o.logger,
      flags: { model, mode: 'yolo', ...samplingFlags(config) },
    })
    try {
      await runSuites({
        runId: evalRunId,
        suites: o.suites,
        config,
        core,
        store: o.store,
        signal,
        ...(o.onAttempt ? { onResult: o.onAttempt } : {}),
      })
    } finally {
      await core.close()
    }
    o.store.setStatus(evalRunId, signal.aborted ? 'interrupted' : 'done', Date.now())
    return o.store.results(evalRunId)
  }
}
