// A training run from start to record: checks first, the data folder, the trainer started in its own process
// group, its log parsed line by line into progress, an early stop (NaN, divergence, silence) that kills the
// whole group, and afterwards the checkpoints, the best one by validation loss, the adapter check and a smoke
// eval. The record is saved as it goes, so a killed run can be resumed from its last checkpoint.
import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'
import { adapterCheck, beforeTraining, type CheckResult, hasErrors } from './checks.js'
import { type TrainConfig, totalIterations } from './config.js'
import { prepareData } from './data.js'
import { applyEvent, bestCheckpoint, emptyMetrics, type RunMetrics, withValLoss } from './metrics.js'
import { mlxRunner } from './mlx-runner.js'
import type { TrainRecord } from './record.js'
import type { ResumePoint, RunPaths, TrainEvent, TrainFailure, TrainingRunner } from './runner.js'
import type { ModelEvaluator } from './serve-eval.js'
import { trlRunner } from './trl-runner.js'

export const RUNNERS: Record<TrainConfig['runner'], TrainingRunner> = { mlx: mlxRunner, trl: trlRunner }

export function runPaths(root: string): RunPaths {
  return {
    root,
    data: join(root, 'data'),
    adapters: join(root, 'adapters'),
    log: join(root, 'train.log'),
    fused: join(root, 'fused'),
    quantized: (bits) => join(root, `quantized-${bits}bit`),
  }
}

export interface RunOptions {
  record: TrainRecord
  /** Saves the record (the store); called often while the run goes. */
  save: (record: TrainRecord) => void
  onEvent?: (record: TrainRecord, event: TrainEvent) => void
  onCheck?: (check: CheckResult) => void
  evaluator?: ModelEvaluator
  signal?: AbortSignal
  resume?: ResumePoint
  /** How long a stopped trainer may take to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number
}

export function newRecord(runId: string, config: TrainConfig, root: string, now = Date.now()): TrainRecord {
  return {
    runId,
    status: 'running',
    runner: config.runner,
    baseModel: config.base_model,
    root,
    createdAt: now,
    config,
    files: [],
    resumes: 0,
    metrics: emptyMetrics(config.iters),
    checkpoints: [],
    checks: [],
  }
}

/** The checkpoint to resume from: the newest on disk. */
export function resumePoint(record: TrainRecord): ResumePoint | undefined {
  const runner = RUNNERS[record.runner]
  const last = runner.checkpoints(runPaths(record.root)).at(-1)
  return last ? { checkpoint: last } : undefined
}

/** Runs (or resumes) training and the after-training checks; resolves with the final record. */
export async function trainRun(options: RunOptions): Promise<TrainRecord> {
  const record = options.record
  const { config } = record
  const runner = RUNNERS[config.runner]
  const paths = runPaths(record.root)
  const fail = (failure: TrainFailure): TrainRecord => {
    record.status = 'failed'
    record.failure = failure
    options.save(record)
    return record
  }
  const check = (result: CheckResult) => {
    record.checks = [...record.checks.filter((c) => c.name !== result.name), result]
    options.onCheck?.(result)
  }
  record.status = 'running'
  delete record.failure
  mkdirSync(paths.root, { recursive: true })

  if (!options.resume) {
    const before = await beforeTraining(config, runner)
    for (const c of before) check(c)
    if (hasErrors(before))
      return fail({
        kind: 'check',
        message: `checks before training failed: ${before
          .filter((c) => c.level === 'error')
          .map((c) => `${c.name}: ${c.message}`)
          .join('; ')}`,
      })
    try {
      record.data = await prepareData(config, paths.data, runner.defaultFormat)
    } catch (error) {
      return fail({ kind: 'check', message: (error as Error).message })
    }
    record.metrics = emptyMetrics(totalIterations(config, record.data.train))
  } else {
    record.resumes++
    truncateMetrics(record.metrics, options.resume.checkpoint.iteration)
  }
  const iterationsConfig: TrainConfig = { ...config, iters: record.metrics.totalIterations ?? config.iters }
  const prepared = runner.prepare(iterationsConfig, paths, options.resume)
  record.files = [...(record.data?.files ?? []), ...prepared.files]
  const command = runner.command(iterationsConfig, paths, options.resume)
  record.command = command.argv
  options.save(record)

  const outcome = await watchTrainer(record, runner, command, paths, options)
  record.checkpoints = withValLoss(runner.checkpoints(paths), record.metrics.val)
  const best = bestCheckpoint(record.checkpoints)
  if (best) {
    record.bestCheckpoint = best
    record.adapterPath = runner.useCheckpoint(paths, best)
  } else if (outcome.kind === 'exit' && outcome.code === 0) record.adapterPath = runner.adapterDir(paths)

  if (outcome.kind === 'interrupted') {
    record.status = 'interrupted'
    options.save(record)
    return record
  }
  if (outcome.kind === 'stopped') {
    record.status = 'stopped'
    record.failure = outcome.failure
    options.save(record)
    return record
  }
  if (outcome.code !== 0)
    return fail(
      outcome.failure ?? {
        kind: 'crash',
        message: `the trainer exited with ${outcome.code ?? outcome.signal}: ${outcome.tail.slice(-6).join(' | ')}`,
      },
    )

  if (!record.adapterPath)
    return fail({ kind: 'check', message: 'the trainer finished but wrote no adapter' })
  const files = adapterCheck(record.adapterPath, runner, config.rank)
  check(files)
  if (files.level === 'error') return fail({ kind: 'check', message: files.message })
  if (options.evaluator) {
    try {
      const score = await options.evaluator({
        model: config.base_model,
        adapter: record.adapterPath,
        label: 'adapter',
      })
      record.smoke = { ...score, minScore: config.smoke_min_score }
      const ok = score.score >= config.smoke_min_score
      check({
        name: 'smoke eval',
        level: ok ? 'ok' : 'error',
        message: `score ${score.score.toFixed(2)} (${score.passed}/${score.total} passed) with the adapter; at least ${config.smoke_min_score} needed`,
      })
      if (!ok)
        return fail({
          kind: 'check',
          message: `smoke eval scored ${score.score.toFixed(2)}, below ${config.smoke_min_score}`,
        })
    } catch (error) {
      check({ name: 'smoke eval', level: 'error', message: (error as Error).message })
      return fail({ kind: 'check', message: `smoke eval: ${(error as Error).message}` })
    }
  } else
    check({ name: 'smoke eval', level: 'skip', message: 'no serve.command and eval_suite in the config' })
  record.status = 'done'
  options.save(record)
  return record
}

type Outcome =
  | {
      kind: 'exit'
      code: number | null
      signal: NodeJS.Signals | null
      failure?: TrainFailure
      tail: string[]
    }
  | { kind: 'stopped'; failure: TrainFailure }
  | { kind: 'interrupted' }

const TAIL_LINES = 40

function watchTrainer(
  record: TrainRecord,
  runner: TrainingRunner,
  command: ReturnType<TrainingRunner['command']>,
  paths: RunPaths,
  options: RunOptions,
): Promise<Outcome> {
  const { early_stop: stop } = record.config
  const offset = options.resume && runner.resumeRestartsCount ? options.resume.checkpoint.iteration : 0
  return new Promise((resolve) => {
    appendFileSync(paths.log, `\n$ ${command.argv.join(' ')}\n`)
    const child = spawn(command.argv[0] as string, command.argv.slice(1), {
      cwd: command.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const release = dieWithThisProcess(child.pid, { group: true })
    const tail: string[] = []
    let failure: TrainFailure | undefined
    let stopped: TrainFailure | undefined
    let interrupted = false
    let lastSave = 0
    let killTimer: NodeJS.Timeout | undefined
    const kill = () => {
      signalProcessGroup(child.pid, 'SIGTERM')
      killTimer ??= setTimeout(
        () => signalProcessGroup(child.pid, 'SIGKILL', { groupOnly: true }),
        options.killGraceMs ?? 5000,
      )
    }
    let idle: NodeJS.Timeout | undefined
    const armIdle = () => {
      clearTimeout(idle)
      idle = setTimeout(() => {
        stopped ??= { kind: 'timeout', message: `the trainer printed nothing for ${stop.idle_timeout_s} s` }
        kill()
      }, stop.idle_timeout_s * 1000)
    }
    armIdle()
    const onAbort = () => {
      interrupted = true
      kill()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const onLine = (line: string) => {
      armIdle()
      appendFileSync(paths.log, `${line}\n`)
      tail.push(line.slice(0, 500))
      if (tail.length > TAIL_LINES) tail.shift()
      const parsed = runner.parseLine(line)
      if (!parsed) return
      const event = withOffset(parsed, offset)
      if (event.type === 'failure') {
        failure ??= event.failure
        return
      }
      const reason = applyEvent(record.metrics, event, {
        divergenceFactor: stop.divergence_factor,
        warmupReports: stop.warmup_reports,
      })
      options.onEvent?.(record, event)
      if (reason && !stopped) {
        stopped = reason
        kill()
      }
      if (event.type !== 'train' || Date.now() - lastSave > 2000) {
        lastSave = Date.now()
        options.save(record)
      }
    }
    const streams = [child.stdout, child.stderr].flatMap((s) => (s ? [s] : []))
    let open = streams.length
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    const finish = () => {
      if (open > 0 || !exit) return
      clearTimeout(idle)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      release()
      // A stopped trainer's children may outlive it; the group goes with it.
      signalProcessGroup(child.pid, 'SIGKILL', { groupOnly: true })
      if (interrupted) resolve({ kind: 'interrupted' })
      else if (stopped) resolve({ kind: 'stopped', failure: stopped })
      else resolve({ kind: 'exit', ...exit, ...(failure ? { failure } : {}), tail })
    }
    for (const stream of streams) {
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
      lines.on('line', onLine)
      lines.on('close', () => {
        open--
        finish()
      })
    }
    child.on('error', (error) => {
      failure ??= {
        kind: 'crash',
        message: `cannot start ${command.argv[0]}: ${error.message}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ` (is ${record.runner === 'mlx' ? 'mlx-lm' : 'Python'} installed? set trainer_command or python)` : ''}`,
      }
      exit = { code: -1, signal: null }
      open = 0
      finish()
    })
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      finish()
    })
  })
}

function withOffset(event: TrainEvent, offset: number): TrainEvent {
  if (!offset || !('iteration' in event)) return event
  return { ...event, iteration: event.iteration + offset }
}

/** Drops the points past the checkpoint a run resumes from: they are trained again. */
function truncateMetrics(metrics: RunMetrics, iteration: number): void {
  metrics.train = metrics.train.filter((p) => p.iteration <= iteration)
  metrics.val = metrics.val.filter((p) => p.iteration <= iteration)
  metrics.iteration = iteration
  metrics.trainReports = metrics.train.length
  const losses = metrics.train.map((p) => p.loss)
  if (losses.length) metrics.bestTrainLoss = Math.min(...losses)
  else delete metrics.bestTrainLoss
}
