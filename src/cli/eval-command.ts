// `punie eval run|report|compare|list|validate`: model evaluations over YAML suites.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { readConfigFile } from '../config/config-file.js'
import { homePaths, punieHome } from '../config/home.js'
import type { EvalRun } from '../eval/report.js'
import type { CaseResult, ResultStore, RunConfig } from '../eval/runner.js'
import { loadSuite, type Suite, SuiteError } from '../eval/suite.js'
import { createFileLogger } from '../log/logger.js'
import { chooseModelSpec } from '../model/choose.js'
import { readRecord } from '../model/servers/managed.js'
import { EvalStore } from '../store/eval-store.js'
import type { AgentOptions } from './agent-options.js'
import { serversDir } from './server-command.js'

export class EvalCommandError extends Error {
  override name = 'EvalCommandError'
}

export interface EvalRunOptions {
  server?: string
  repeat: number
  temperature?: number
  seed?: number
  topP?: number
  maxTokens?: number
  jobs: number
  timeout?: number
  out?: string
  resume?: string
}

const evalPaths = (home = punieHome()) => ({
  database: join(home, 'eval.db'),
  runs: join(home, 'eval'),
})

function openStore(home = punieHome()): ResultStore {
  return new EvalStore<RunConfig, CaseResult>(evalPaths(home).database)
}

export function loadSuites(paths: readonly string[]): Suite[] {
  const suites = paths.map((p) => loadSuite(resolve(p)))
  const names = new Set<string>()
  for (const s of suites) {
    if (names.has(s.name)) throw new SuiteError(`two suites are named "${s.name}"`)
    names.add(s.name)
  }
  return suites
}

export async function runEvalCommand(suitePaths: string[], opts: EvalRunOptions, agent: AgentOptions) {
  const home = punieHome()
  const store = openStore(home)
  let run: EvalRun
  if (opts.resume) {
    const found = store.getRun(opts.resume)
    if (!found) throw new EvalCommandError(`no run ${opts.resume} (see punie eval list)`)
    run = found
  } else {
    if (!suitePaths.length)
      throw new EvalCommandError('name at least one suite file, e.g. suites/baseline.yaml')
    run = {
      id: (await import('../eval/runner.js')).newRunId(),
      createdAt: Date.now(),
      status: 'running',
      model: modelFor(opts, agent, home),
      config: {
        suites: suitePaths.map((p) => resolve(p)),
        repeat: opts.repeat,
        concurrency: opts.jobs,
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.topP !== undefined ? { topP: opts.topP } : {}),
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
      },
    }
  }
  const suites = loadSuites(run.config.suites)
  if (!opts.resume) store.createRun(run)
  else store.setStatus(run.id, 'running')

  const [{ createAgentCore }, runner, report] = await Promise.all([
    import('../core/core.js'),
    import('../eval/runner.js'),
    import('../eval/report.js'),
  ])
  const logger = createFileLogger({ dir: agent.logDir ?? homePaths(home).logs, level: agent.logLevel })
  const core = await createAgentCore({
    home,
    database: evalPaths(home).database,
    env: process.env,
    logger,
    flags: {
      model: run.model,
      mode: 'yolo',
      ...runner.samplingFlags(run.config),
    },
  })
  const controller = new AbortController()
  const onInterrupt = () => {
    process.stderr.write('\ninterrupted: finishing nothing more; the results so far are kept\n')
    controller.abort()
  }
  process.once('SIGINT', onInterrupt)
  const progress = progressPrinter()
  process.stderr.write(
    `run ${run.id}: ${suites.reduce((n, s) => n + s.cases.length, 0)} cases × ${run.config.repeat} with ${run.model}\n`,
  )
  try {
    await runner.runSuites({
      runId: run.id,
      suites,
      config: run.config,
      core,
      store,
      onResult: progress,
      signal: controller.signal,
    })
  } finally {
    process.off('SIGINT', onInterrupt)
    await core.close()
  }
  const status = controller.signal.aborted ? 'interrupted' : 'done'
  store.setStatus(run.id, status, Date.now())
  const finished = store.getRun(run.id) as EvalRun
  const results = store.results(run.id)
  const out = writeJson(opts.out ?? join(evalPaths(home).runs, `${run.id}.json`), finished, results)
  store.close()
  process.stdout.write(`${report.summaryText(finished, results)}\n\nresults: ${out}\n`)
  if (status === 'interrupted') {
    process.stdout.write(`resume with: punie eval run --resume ${run.id}\n`)
    process.exitCode = 130
  }
}

function modelFor(opts: EvalRunOptions, agent: AgentOptions, home: string): string {
  if (opts.server) {
    const record = readRecord(serversDir(home), opts.server)
    if (!record)
      throw new EvalCommandError(`no managed server named "${opts.server}" (see punie server list)`)
    return record.baseURL
  }
  return chooseModelSpec({
    flag: agent.model,
    env: process.env.PUNIE_MODEL,
    userConfig: readConfigFile(homePaths(home).config).model,
  }).spec
}

function progressPrinter() {
  const started = Date.now()
  let passes = 0
  let fails = 0
  return (result: CaseResult, done: number, total: number) => {
    if (result.passed) passes++
    else fails++
    const perCase = (Date.now() - started) / 1000 / (passes + fails)
    if (process.stderr.isTTY) {
      const width = 24
      const filled = Math.round((done / total) * width)
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} · pass ${passes} · fail ${fails} · ${perCase.toFixed(1)} s/case${done === total ? '\n' : ''}`,
      )
    } else {
      const mark = result.passed ? 'pass' : 'FAIL'
      process.stderr.write(
        `${done}/${total} ${mark} ${result.suite}/${result.caseId}#${result.attempt} score ${result.score.toFixed(2)} (${(result.durationMs / 1000).toFixed(1)} s)\n`,
      )
    }
  }
}

function writeJson(path: string, run: EvalRun, results: CaseResult[]): string {
  const absolute = resolve(path)
  mkdirSync(dirname(absolute), { recursive: true })
  writeFileSync(absolute, `${JSON.stringify({ run, results }, null, 2)}\n`)
  return absolute
}

function loadRun(store: ResultStore, id: string): { run: EvalRun; results: CaseResult[] } {
  const run = id === 'latest' ? store.listRuns(1)[0] : store.getRun(id)
  if (!run) throw new EvalCommandError(`no run ${id} (see punie eval list)`)
  return { run, results: store.results(run.id) }
}

export async function evalReportCommand(id: string, opts: { out?: string; json?: boolean }) {
  const report = await import('../eval/report.js')
  const store = openStore()
  try {
    const { run, results } = loadRun(store, id)
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ run, results }, null, 2)}\n`)
      return
    }
    const path = resolve(opts.out ?? join(evalPaths().runs, `${run.id}.html`))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, report.renderEvalReport(run, results))
    process.stdout.write(`${report.summaryText(run, results)}\n\nreport: ${path}\n`)
  } finally {
    store.close()
  }
}

export async function evalCompareCommand(ids: string[], opts: { json?: boolean }) {
  if (ids.length < 2) throw new EvalCommandError('compare needs at least two runs: the baseline first')
  const report = await import('../eval/report.js')
  const store = openStore()
  try {
    const [base, ...others] = ids.map((id) => loadRun(store, id))
    const comparisons = others.map((o) =>
      report.compareRuns(base as { run: EvalRun; results: CaseResult[] }, o),
    )
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(comparisons, null, 2)}\n`
        : `${comparisons.map((c) => report.comparisonText(c, process.stdout.isTTY === true)).join('\n\n')}\n`,
    )
    if (comparisons.some((c) => c.deltas.some((d) => d.verdict === 'worse'))) process.exitCode = 1
  } finally {
    store.close()
  }
}

export async function evalListCommand(opts: { json?: boolean }) {
  const store = openStore()
  try {
    const runs = store.listRuns()
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`)
      return
    }
    if (!runs.length) process.stdout.write('no evaluation runs yet: punie eval run suites/baseline.yaml\n')
    for (const run of runs) {
      const results = store.results(run.id)
      const passed = results.filter((r) => r.passed).length
      process.stdout.write(
        `${run.id}  ${new Date(run.createdAt).toISOString().slice(0, 16).replace('T', ' ')}  ${run.status.padEnd(11)}  ${passed}/${results.length} passed  ${run.model}\n`,
      )
    }
  } finally {
    store.close()
  }
}

export function evalValidateCommand(paths: string[]) {
  const suites = loadSuites(paths)
  for (const s of suites) process.stdout.write(`${s.path}: ${s.name}, ${s.cases.length} cases — valid\n`)
}
