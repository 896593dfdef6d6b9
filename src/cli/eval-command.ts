// `punie eval run|report|compare|list|validate`: model evaluations over YAML suites.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { readConfigFile } from '../config/config-file.js'
import { homePaths, punieHome } from '../config/home.js'
import type { EvalRun } from '../eval/report.js'
import { type CaseResult, type ResultStore, type RunConfig, suiteInfoOf } from '../eval/runner.js'
import { problemText, type Suite, SuiteError } from '../eval/suite.js'
import { createFileLogger } from '../log/logger.js'
import { chooseModelSpec } from '../model/choose.js'
import { type Concurrency, chooseConcurrency, reportedSlots } from '../model/concurrency.js'
import { servedModelName } from '../model/servers/commands.js'
import { listModelServers, readRecord } from '../model/servers/managed.js'
import { EvalStore } from '../store/eval-store.js'
import type { AgentOptions } from './agent-options.js'
import { serversDir } from './server-command.js'

export class EvalCommandError extends Error {
  override name = 'EvalCommandError'
  /** 1 for a failure, 2 for a request that makes no sense as asked (runs that do not compare). */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export interface EvalRunOptions {
  server?: string
  repeat: number
  temperature?: number
  seed?: number
  topP?: number
  maxTokens?: number
  /** Cases at once; absent: the server's slots (see `chooseConcurrency`). */
  jobs?: number
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

/** The suites, checked in one pass: every file's schema problems and every unknown tool, with file and line. */
export async function loadSuites(
  paths: readonly string[],
  opts: { allowMcp?: boolean } = {},
): Promise<Suite[]> {
  const { knownToolNames, readSuiteFiles, suiteProblems } = await import('../eval/validate.js')
  const read = readSuiteFiles(paths.map((p) => resolve(p)))
  const checked = suiteProblems(read.files, { known: knownToolNames(), ...opts })
  const problems = [...read.problems, ...checked.problems]
  if (problems.length) throw new SuiteError(problems.map(problemText).join('\n'))
  return checked.suites
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
    const model = modelFor(opts, agent, home)
    const concurrency = await concurrencyFor(model, opts.jobs, home)
    process.stderr.write(
      `${concurrency.jobs} case${concurrency.jobs === 1 ? '' : 's'} at once (${concurrency.why})\n`,
    )
    run = {
      id: (await import('../eval/runner.js')).newRunId(),
      createdAt: Date.now(),
      status: 'running',
      model,
      config: {
        suites: suitePaths.map((p) => resolve(p)),
        repeat: opts.repeat,
        concurrency: concurrency.jobs,
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.topP !== undefined ? { topP: opts.topP } : {}),
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
      },
    }
  }
  const suites = await loadSuites(run.config.suites)
  if (!opts.resume) {
    run.config.suiteInfo = suites.map(suiteInfoOf)
    store.createRun(run)
  } else {
    const changed = suites.filter((s) => {
      const was = run.config.suiteInfo?.find((i) => i.name === s.name)
      return was && was.hash !== s.hash
    })
    if (changed.length)
      throw new EvalCommandError(
        `${changed.map((s) => s.path).join(', ')} changed since run ${run.id} started; its results would mix two suites (start a new run)`,
      )
    store.setStatus(run.id, 'running')
  }

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

/**
 * -j when given; else the slots of the managed server the model is served by (its own flags), else what the server
 * reports, capped; else 1.
 */
export async function concurrencyFor(
  model: string,
  given: number | undefined,
  home: string,
): Promise<Concurrency> {
  if (given !== undefined) return chooseConcurrency({ given })
  const managed = listModelServers(serversDir(home)).find(
    (s) => s.alive && (model === s.baseURL || model.startsWith(`${s.baseURL}/`)),
  )
  if (managed?.slots) return chooseConcurrency({ configured: { slots: managed.slots, server: managed.name } })
  return chooseConcurrency({ reported: await reportedSlots(model, process.env) })
}

function modelFor(opts: EvalRunOptions, agent: AgentOptions, home: string): string {
  if (opts.server) {
    const record = readRecord(serversDir(home), opts.server)
    if (!record)
      throw new EvalCommandError(`no managed server named "${opts.server}" (see punie server list)`)
    // A vLLM adapter is a model of its own; the bare URL would get the base model, listed first.
    const served = servedModelName(record.kind, record.args)
    return served ? `${record.baseURL}/${served}` : record.baseURL
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

export async function evalCompareCommand(
  ids: string[],
  opts: { json?: boolean; allowDifferentSuites?: boolean },
) {
  if (ids.length < 2) throw new EvalCommandError('compare needs at least two runs: the baseline first', 2)
  const { compareRuns, comparisonText } = await import('../eval/compare.js')
  const store = openStore()
  try {
    const [base, ...others] = ids.map((id) => loadRun(store, id)) as [
      ReturnType<typeof loadRun>,
      ...ReturnType<typeof loadRun>[],
    ]
    const comparisons = others.map((o) => compareRuns(base, o))
    for (const c of comparisons) {
      if (c.suiteDifferences.length && !opts.allowDifferentSuites) {
        throw new EvalCommandError(
          [
            `${c.against} and ${c.baseline} did not run the same suites, so their scores do not compare:`,
            ...c.suiteDifferences.map((d) => `  ${d}`),
            c.shared
              ? `Compare runs of the same suites, or pass --allow-different-suites to compare the ${c.shared} cases both ran.`
              : 'They share no case: nothing to compare.',
          ].join('\n'),
          2,
        )
      }
      if (!c.shared)
        throw new EvalCommandError(`${c.against} and ${c.baseline} share no case: nothing to compare`, 2)
    }
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(comparisons, null, 2)}\n`
        : `${comparisons.map((c) => comparisonText(c, process.stdout.isTTY === true)).join('\n\n')}\n`,
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
    if (!runs.length) {
      process.stdout.write('no evaluation runs yet: punie eval run suites/baseline.yaml\n')
      return
    }
    const { suiteNames } = await import('../eval/report.js')
    const rows = runs.map((run) => {
      const results = store.results(run.id)
      const passed = results.filter((r) => r.passed).length
      return [
        run.id,
        new Date(run.createdAt).toISOString().slice(0, 16).replace('T', ' '),
        run.status,
        `${passed}/${results.length}`,
        suiteNames(run).join(','),
        run.model,
      ]
    })
    const header = ['run', 'started (UTC)', 'status', 'passed', 'suites', 'model']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
    for (const row of [header, ...rows]) {
      process.stdout.write(
        `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')}\n`,
      )
    }
  } finally {
    store.close()
  }
}

export async function evalValidateCommand(paths: string[], opts: { allowMcp?: boolean } = {}) {
  const { knownToolNames, readSuiteFiles, suiteProblems } = await import('../eval/validate.js')
  const read = readSuiteFiles(paths)
  const checked = suiteProblems(read.files, { known: knownToolNames(), ...opts })
  const problems = [...read.problems, ...checked.problems]
  for (const s of checked.suites) {
    const own = problems.filter((p) => p.path === s.path).length
    if (!own) process.stdout.write(`${s.path}: ${s.name}, ${s.cases.length} cases — valid\n`)
  }
  if (problems.length) {
    process.stderr.write(`${problems.map(problemText).join('\n')}\n`)
    const files = new Set(problems.map((p) => p.path)).size
    throw new EvalCommandError(`${problems.length} problem(s) in ${files} file(s)`)
  }
}

/** Exit code for input Punie cannot read (a cassette that is not one). */
const USAGE_ERROR = 2

export async function evalReplayCommand(
  path: string,
  opts: { json?: boolean; timeout?: number },
  agent: AgentOptions,
) {
  const { readCassette, CassetteError } = await import('../eval/cassette.js')
  let cassette: import('../eval/cassette.js').Cassette
  try {
    cassette = readCassette(resolve(path))
  } catch (error) {
    if (!(error instanceof CassetteError)) throw error
    process.stderr.write(`punie eval replay: ${error.message}\n`)
    process.exitCode = USAGE_ERROR
    return
  }
  const { replayCassette } = await import('../eval/cassette-replay.js')
  const logger = createFileLogger({ dir: agent.logDir ?? homePaths(punieHome()).logs, level: agent.logLevel })
  let report: import('../eval/cassette-replay.js').ReplayReport
  try {
    report = await replayCassette(cassette, {
      logger,
      ...(opts.timeout !== undefined ? { turnTimeoutMs: opts.timeout * 1000 } : {}),
    })
  } catch (error) {
    if (!(error instanceof CassetteError)) throw error
    process.stderr.write(`punie eval replay: ${error.message}\n`)
    process.exitCode = USAGE_ERROR
    return
  }
  process.exitCode = report.passed ? 0 : 1
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return
  }
  process.stdout.write(`${(await replayText(path, report)).join('\n')}\n`)
}

/** The report as a person reads it: pass, or the step that differs with an inline diff. */
async function replayText(
  path: string,
  report: import('../eval/cassette-replay.js').ReplayReport,
): Promise<string[]> {
  const counts = [
    plural(report.turns, 'turn'),
    plural(report.requests, 'model request'),
    plural(report.toolCalls, 'tool call'),
  ].join(', ')
  const notes = report.notes.map((n) => `note: ${n}`)
  const d = report.difference
  if (!d) return [`PASS ${path}: ${counts} replayed as recorded`, ...notes]
  const { diffText } = await import('../client/diff-text.js')
  const step = `turn ${d.turn}${d.request ? `, model request ${d.request}` : ''}: ${d.where}`
  const lines = diffText('recorded', d.expected, d.actual, { maxLines: 60 })
  const diff = lines.length
    ? ['--- recorded', '+++ this build', ...lines.filter((l) => !/^(---|\+\+\+) /.test(l))]
    : ['(the texts differ only in line endings or a final newline)']
  return [`FAIL ${path}: ${step} differs`, ...diff, `(up to there: ${counts})`, ...notes]
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export async function evalCaseFromSessionCommand(id: string, opts: { out?: string; id?: string }) {
  const [{ sessionCassette, SessionCommandError }, { caseFromCassette }, { parseSuite }] = await Promise.all([
    import('./session-command.js'),
    import('../eval/case-from-session.js'),
    import('../eval/suite.js'),
  ])
  let derived: import('../eval/case-from-session.js').DerivedCase
  try {
    derived = caseFromCassette(sessionCassette(id), opts.id ? { id: opts.id } : {})
  } catch (error) {
    if (error instanceof SessionCommandError) throw new EvalCommandError(error.message)
    throw error
  }
  // What this writes must load as a suite: checked here, not left to the user's next command.
  parseSuite(derived.yaml, opts.out ?? 'the generated case')
  for (const note of derived.notes) process.stderr.write(`note: ${note}\n`)
  if (!opts.out) {
    process.stdout.write(derived.yaml)
    return
  }
  const path = resolve(opts.out)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, derived.yaml)
  process.stdout.write(`eval case: ${path}\nrun with: punie eval run ${opts.out}\n`)
}
