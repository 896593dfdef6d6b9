// The evaluation harness's own cost per case: wall time minus model time, against an instantly answering model.
import { join } from 'node:path'
import { createAgentCore } from '../src/core/core.js'
import { type CaseResult, newRunId, type RunConfig, runSuites } from '../src/eval/runner.js'
import { loadSuite } from '../src/eval/suite.js'
import { silentLogger } from '../src/log/logger.js'
import { quantile } from '../src/perf/collector.js'
import { EvalStore } from '../src/store/eval-store.js'
import { REPO_ROOT } from '../test/helpers/acp-harness.js'
import type { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { makeTempDir } from '../test/helpers/temp.js'

export async function evalOverheadMs(
  model: ScriptedModelServer,
  repeat = 8,
): Promise<{ p50: number; cases: number }> {
  const home = makeTempDir('punie-bench-eval-')
  const database = join(home.path, 'eval.db')
  const core = await createAgentCore({
    home: home.path,
    database,
    env: {},
    logger: silentLogger,
    flags: { model: model.spec, mode: 'yolo' },
  })
  const store = new EvalStore<RunConfig, CaseResult>(database)
  const suite = loadSuite(join(REPO_ROOT, 'test', 'fixtures', 'eval', 'mini.yaml'))
  const overheads: number[] = []
  try {
    const runId = newRunId()
    const config: RunConfig = { suites: [suite.path], repeat, concurrency: 1 }
    store.createRun({ id: runId, createdAt: Date.now(), status: 'running', model: model.spec, config })
    await runSuites({
      runId,
      suites: [suite],
      config,
      core,
      store,
      onResult: (result) => overheads.push(result.durationMs - result.modelMs),
    })
  } finally {
    store.close()
    await core.close()
    home.remove()
  }
  // The first case pays for loading the store, tools and model client; report the steady state.
  return { p50: quantile(overheads.slice(1), 0.5) ?? 0, cases: overheads.length }
}
