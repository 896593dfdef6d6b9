// `punie tune`: a grid search over inference parameters and training hyperparameters, each point scored by the
// eval runner; progress on stderr, the results table on stdout, the chart and the results in the tune folder.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { readConfigFile } from '../config/config-file.js'
import { homePaths, punieHome } from '../config/home.js'
import { type CaseResult, newRunId, type ResultStore, type RunConfig } from '../eval/runner.js'
import { createFileLogger } from '../log/logger.js'
import { chooseModelSpec } from '../model/choose.js'
import { EvalStore } from '../store/eval-store.js'
import { runTune, type TrainingSteps, type TuneEvent } from '../training/tune.js'
import { renderTunePage } from '../training/tune-chart.js'
import { inProcessEvaluator } from '../training/tune-eval.js'
import { type PointFigures, tuneTable } from '../training/tune-figures.js'
import { serveAdapter } from '../training/tune-serve.js'
import { expandGrid, GridError, type GridSpec, numberList, parseGrid } from '../training/tune-spec.js'
import { TuneDir, type TuneManifest } from '../training/tune-store.js'
import { type TrainCommand, trainConfigFor, trainPoint } from '../training/tune-train.js'
import type { AgentOptions } from './agent-options.js'
import { concurrencyFor, loadSuites } from './eval-command.js'
import { serversDir } from './server-command.js'

export interface TuneCommandOptions {
  suite?: string[]
  temperature?: string
  topP?: string
  maxTokens?: string
  repeat?: number
  jobs?: number
  seed?: number
  timeout?: number
  out?: string
  resume?: string
  trainCommand?: string
  json?: boolean
}

/** The longest one training run may take before it is stopped. */
const TRAIN_TIMEOUT_MS = 24 * 60 * 60 * 1000

export async function runTuneCommand(
  gridFile: string | undefined,
  opts: TuneCommandOptions,
  agent: AgentOptions,
): Promise<void> {
  const home = punieHome()
  const { dir, manifest } = opts.resume
    ? resumed(opts.resume, gridFile, opts)
    : fresh(gridFile, opts, agent, home)
  const concurrency = await concurrencyFor(manifest.model, manifest.spec.jobs, home)
  const spec = { ...manifest.spec, jobs: concurrency.jobs }
  const points = expandGrid(spec)
  const suites = await loadSuites(spec.suites)
  const database = join(home, 'eval.db')
  const store: ResultStore = new EvalStore<RunConfig, CaseResult>(database)
  const logger = createFileLogger({ dir: agent.logDir ?? homePaths(home).logs, level: agent.logLevel })
  const progress = progressPrinter(process.stderr)
  const evaluate = inProcessEvaluator({
    home,
    database,
    store,
    suites,
    spec,
    logger,
    env: process.env,
    onAttempt: progress.attempt,
  })
  const trainCommand: TrainCommand = opts.trainCommand
    ? { command: resolve(opts.trainCommand), args: [] }
    : { command: process.execPath, args: [process.argv[1] as string] }
  const train = spec.train
  const training: TrainingSteps | undefined = train
    ? {
        train: (point, signal) =>
          trainPoint(
            trainCommand,
            trainConfigFor(train.config, point.train ?? {}),
            dir.trainDir(point.index),
            {
              signal,
              timeoutMs: TRAIN_TIMEOUT_MS,
            },
          ),
        serve: (record, point) =>
          serveAdapter(train.serve, record.adapterPath, {
            name: `tune-${manifest.id}-t${String(point.index).padStart(2, '0')}`,
            serversDir: serversDir(home),
          }),
      }
    : undefined

  const controller = new AbortController()
  const onInterrupt = () => {
    process.stderr.write('\ninterrupted: stopping; every point scored so far is kept\n')
    controller.abort()
  }
  process.once('SIGINT', onInterrupt)
  process.stderr.write(
    `tune ${manifest.id}: ${points.length} points × ${suites.reduce((n, s) => n + s.cases.length, 0)} cases × ${spec.repeat} with ${manifest.model}\n  folder: ${dir.path}\n  ${concurrency.jobs} case${concurrency.jobs === 1 ? '' : 's'} at once (${concurrency.why})\n`,
  )
  let result: Awaited<ReturnType<typeof runTune>>
  try {
    result = await runTune({
      dir,
      tuneId: manifest.id,
      points,
      model: manifest.model,
      evaluate,
      ...(training ? { training } : {}),
      onEvent: progress.event,
      signal: controller.signal,
    })
  } finally {
    process.off('SIGINT', onInterrupt)
    store.close()
  }
  const table = tuneTable(result.outcomes)
  const missing = points.length - result.outcomes.length
  dir.write('results.txt', `${table}\n`)
  const json = dir.write(
    'results.json',
    `${JSON.stringify({ tune: manifest, points: result.outcomes, failed: result.failed }, null, 2)}\n`,
  )
  const html = dir.write(
    'results.html',
    renderTunePage(result.outcomes, table, {
      id: manifest.id,
      model: manifest.model,
      suites: spec.suites,
      repeat: spec.repeat,
      generatedAt: new Date(),
      missing,
    }),
  )
  if (opts.json) process.stdout.write(`${readFileSync(json, 'utf8')}`)
  else process.stdout.write(`${table}\n\nchart: ${html}\nresults: ${json}\n`)
  for (const f of result.failed) process.stderr.write(`failed #${f.point.index} ${f.point.key}: ${f.error}\n`)
  if (result.interrupted) {
    process.stdout.write(`${missing} points left; resume with: punie tune --resume ${dir.path}\n`)
    process.exitCode = 130
  } else if (result.failed.length) process.exitCode = 1
}

function fresh(
  gridFile: string | undefined,
  opts: TuneCommandOptions,
  agent: AgentOptions,
  home: string,
): { dir: TuneDir; manifest: TuneManifest } {
  const spec = gridFromInput(gridFile, opts)
  const id = newRunId()
  const model =
    agent.model ??
    spec.model ??
    chooseModelSpec({
      env: process.env.PUNIE_MODEL,
      userConfig: readConfigFile(homePaths(home).config).model,
    }).spec
  const manifest: TuneManifest = { id, createdAt: Date.now(), model, spec }
  const path = resolve(opts.out ?? join(home, 'tune', id))
  return { dir: TuneDir.create(path, manifest), manifest }
}

/** Flags that shape the grid; a resumed search keeps the grid it started with. */
const GRID_FLAGS = [
  'suite',
  'temperature',
  'topP',
  'maxTokens',
  'repeat',
  'jobs',
  'seed',
  'timeout',
  'out',
] as const

function resumed(
  path: string,
  gridFile: string | undefined,
  opts: TuneCommandOptions,
): { dir: TuneDir; manifest: TuneManifest } {
  const given = GRID_FLAGS.filter((f) => opts[f] !== undefined)
  if (gridFile || given.length)
    throw new GridError(
      `--resume takes the grid from its folder: give no ${gridFile ? 'grid file' : given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} with it`,
    )
  const dir = new TuneDir(resolve(path))
  return { dir, manifest: dir.manifest() }
}

/** The grid file's settings with the flags laid over them; flag paths are taken from the current folder. */
export function gridFromInput(gridFile: string | undefined, opts: TuneCommandOptions): GridSpec {
  let raw: Record<string, unknown> = {}
  if (gridFile) {
    let parsed: unknown
    try {
      parsed = parseYaml(readFileSync(gridFile, 'utf8'))
    } catch (error) {
      throw new GridError(`${gridFile}: ${(error as Error).message.split('\n')[0]}`)
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new GridError(`${gridFile}: expected a mapping (suites, inference, train…)`)
    raw = parsed as Record<string, unknown>
  }
  const inference = { ...((raw.inference as Record<string, unknown> | undefined) ?? {}) }
  if (opts.temperature) inference.temperature = numberList('--temperature', opts.temperature)
  if (opts.topP) inference.top_p = numberList('--top-p', opts.topP)
  if (opts.maxTokens) inference.max_tokens = numberList('--max-tokens', opts.maxTokens)
  const merged = {
    ...raw,
    inference,
    ...(opts.suite?.length ? { suites: opts.suite.map((s) => resolve(s)) } : {}),
    ...(opts.repeat !== undefined ? { repeat: opts.repeat } : {}),
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.timeout !== undefined ? { timeout_s: opts.timeout } : {}),
  }
  if (!merged.suites)
    throw new GridError('name the suites to score with: --suite FILE, or suites: in a grid file')
  return parseGrid(merged, gridFile ? resolve(gridFile) : join(process.cwd(), 'grid.yaml'))
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

export function figuresLine(f: PointFigures): string {
  return `pass@1 ${pct(f.passAt1)} · pass^${f.k} ${pct(f.passAllK)} · score ${f.meanScore.toFixed(3)} [${f.low.toFixed(2)}–${f.high.toFixed(2)}] · ${(f.medianCaseMs / 1000).toFixed(2)} s/case${f.errors ? ` · ${f.errors} errors` : ''}`
}

/** One line per point without a terminal; with one, a live line of the point's attempts, then its result. */
function progressPrinter(out: NodeJS.WriteStream) {
  const tty = out.isTTY === true
  let current = ''
  const tag = (index: number, total: number) => `[${index}/${total}]`
  return {
    event(e: TuneEvent) {
      switch (e.type) {
        case 'skip':
          out.write(`${tag(e.point.index, e.total)} ${e.point.key}: scored before, skipped\n`)
          break
        case 'train':
          out.write(`${tag(e.point.index, e.total)} training ${e.point.trainKey} …\n`)
          break
        case 'trained':
          out.write(`  trained ${e.point.trainKey}: run ${e.record.runId}, adapter ${e.record.adapterPath}\n`)
          break
        case 'start':
          current = `${tag(e.point.index, e.total)} ${e.point.key}`
          if (tty) out.write(`${current} …`)
          break
        case 'done':
          out.write(
            `${tty ? '\r\x1b[2K' : ''}${tag(e.outcome.index, e.total)} ${e.outcome.key}: ${figuresLine(e.outcome.figures)}\n`,
          )
          break
        case 'failed':
          out.write(
            `${tty ? '\r\x1b[2K' : ''}${tag(e.point.index, e.total)} ${e.point.key}: FAILED ${e.error.split('\n')[0]}\n`,
          )
          break
      }
    },
    attempt(_result: CaseResult, done: number, total: number) {
      if (tty) out.write(`\r\x1b[2K${current} … ${done}/${total} attempts`)
    },
  }
}
