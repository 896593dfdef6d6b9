// `punie train run|resume|list|show|fuse|quantize|check`: LoRA training with mlx-lm or TRL/PEFT, its
// progress on stderr, its record in the store. Exit codes: 0 done, 1 the run or a check failed, 2 bad usage.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { punieHome } from '../config/home.js'
import { TrainStore } from '../store/train-store.js'
import { beforeTraining, type CheckResult, hasErrors } from '../training/checks.js'
import { loadTrainConfig, parseTrainConfig, type TrainConfig, TrainConfigError } from '../training/config.js'
import { ExportError, fuseRun, quantizeRun } from '../training/export.js'
import { renderTrainReport } from '../training/loss-chart.js'
import { etaSeconds, progressLine, sparkline } from '../training/metrics.js'
import { summaryJson, type TrainRecord } from '../training/record.js'
import { newRecord, RUNNERS, resumePoint, trainRun } from '../training/run.js'
import { serveAndEval } from '../training/serve-eval.js'
import { StepError } from '../training/steps.js'

/** A usage problem (exit 2): a bad config, an unknown run. */
export class TrainUsageError extends Error {
  override name = 'TrainUsageError'
}

export interface TrainFlags {
  config?: string
  runner?: string
  baseModel?: string
  dataset?: string
  format?: string
  rank?: number
  alpha?: number
  dropout?: number
  numLayers?: number
  learningRate?: number
  batchSize?: number
  iters?: number
  epochs?: number
  seed?: number
  maxSeqLength?: number
  validationSplit?: number
  outputDir?: string
  gpus?: number
  python?: string
  json?: boolean
}

const FLAG_KEYS: [keyof TrainFlags, string][] = [
  ['runner', 'runner'],
  ['baseModel', 'base_model'],
  ['dataset', 'dataset'],
  ['format', 'format'],
  ['rank', 'rank'],
  ['alpha', 'alpha'],
  ['dropout', 'dropout'],
  ['numLayers', 'num_layers'],
  ['learningRate', 'learning_rate'],
  ['batchSize', 'batch_size'],
  ['iters', 'iters'],
  ['epochs', 'epochs'],
  ['seed', 'seed'],
  ['maxSeqLength', 'max_seq_length'],
  ['validationSplit', 'validation_split'],
  ['outputDir', 'output_dir'],
  ['gpus', 'gpus'],
  ['python', 'python'],
]

const databasePath = (home: string) => join(home, 'eval.db')

function configFrom(flags: TrainFlags): TrainConfig {
  const overrides: Record<string, unknown> = {}
  for (const [flag, key] of FLAG_KEYS) if (flags[flag] !== undefined) overrides[key] = flags[flag]
  try {
    if (flags.config) {
      // Paths given as flags are relative to the current folder, not the config file's.
      for (const key of ['dataset', 'output_dir'])
        if (typeof overrides[key] === 'string') overrides[key] = resolve(overrides[key] as string)
      return loadTrainConfig(flags.config, overrides)
    }
    if (overrides.runner === undefined) overrides.runner = process.platform === 'darwin' ? 'mlx' : 'trl'
    return parseTrainConfig(overrides, process.cwd())
  } catch (error) {
    if (error instanceof TrainConfigError) throw new TrainUsageError(error.message)
    throw error
  }
}

function newTrainId(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')
  return `train-${stamp}-${randomBytes(2).toString('hex')}`
}

function openStore(home = punieHome()) {
  return new TrainStore<TrainRecord>(databasePath(home))
}

function loadRecord(store: TrainStore<TrainRecord>, id: string): TrainRecord {
  const row = id === 'latest' ? store.list(1)[0] : store.get(id)
  if (!row) throw new TrainUsageError(`no training run ${id} (see punie train list)`)
  return row.body
}

const MARK: Record<CheckResult['level'], string> = { ok: 'ok  ', warn: 'warn', error: 'FAIL', skip: 'skip' }
const printCheck = (c: CheckResult) => process.stderr.write(`  ${MARK[c.level]} ${c.name}: ${c.message}\n`)

function progressPrinter() {
  const tty = process.stderr.isTTY === true
  const started = Date.now()
  let startIteration: number | undefined
  return (record: TrainRecord, event: { type: string }) => {
    // Off a terminal, one line per train report; a validation loss shows in the next one.
    if (event.type !== 'train' && (tty ? event.type !== 'val' : true)) return
    startIteration ??= record.metrics.iteration
    const eta = etaSeconds(record.metrics, Date.now() - started, startIteration)
    const line = progressLine(record.metrics, eta)
    if (tty) {
      const curve = sparkline(
        record.metrics.train.map((p) => p.loss),
        24,
      )
      process.stderr.write(`\r\x1b[2K${line} ${curve}`)
    } else process.stderr.write(`${line}\n`)
  }
}

function writeReport(record: TrainRecord): string {
  const path = join(record.root, 'report.html')
  writeFileSync(path, renderTrainReport(record))
  return path
}

function printSummary(record: TrainRecord): void {
  const out = process.stderr
  if (out.isTTY) out.write('\n')
  out.write(
    `run ${record.runId}: ${record.status}${record.failure ? ` — ${record.failure.kind}: ${record.failure.message}` : ''}\n`,
  )
  if (record.failure?.kind === 'oom') out.write(`  hint: ${record.failure.hint}\n`)
  const train = record.metrics.train.map((p) => p.loss)
  const val = record.metrics.val.map((p) => p.loss)
  if (train.length) out.write(`  train loss ${sparkline(train)} ${train.at(-1)?.toFixed(3)}\n`)
  if (val.length) out.write(`  val loss   ${sparkline(val)} ${val.at(-1)?.toFixed(3)}\n`)
  if (record.bestCheckpoint)
    out.write(
      `  best checkpoint: iteration ${record.bestCheckpoint.iteration}, validation loss ${record.bestCheckpoint.valLoss?.toFixed(3)}\n`,
    )
  if (record.adapterPath) out.write(`  adapter: ${record.adapterPath}\n`)
  out.write(`  report: ${writeReport(record)}\n`)
  if (record.status === 'interrupted' || record.status === 'failed' || record.status === 'stopped')
    if (resumePoint(record)) out.write(`  resume with: punie train resume ${record.runId}\n`)
}

async function drive(record: TrainRecord, store: TrainStore<TrainRecord>, json: boolean, resume = false) {
  const controller = new AbortController()
  const onInterrupt = () => {
    process.stderr.write('\ninterrupted: stopping the trainer; its checkpoints are kept\n')
    controller.abort()
  }
  process.once('SIGINT', onInterrupt)
  const save = (r: TrainRecord) =>
    store.save({ id: r.runId, createdAt: r.createdAt, updatedAt: Date.now(), status: r.status, body: r })
  const point = resume ? resumePoint(record) : undefined
  if (resume && !point)
    throw new TrainUsageError(
      `run ${record.runId} has no checkpoint to resume from: start it again with punie train run`,
    )
  process.stderr.write(
    `${resume ? 'resuming' : 'training'} ${record.runId} with ${record.runner} on ${record.baseModel}${point ? ` from iteration ${point.checkpoint.iteration}` : ''}\n`,
  )
  try {
    const evaluator = serveAndEval(record.config, record.root)
    await trainRun({
      record,
      save,
      onEvent: progressPrinter(),
      onCheck: printCheck,
      signal: controller.signal,
      ...(evaluator ? { evaluator } : {}),
      ...(point ? { resume: point } : {}),
    })
  } finally {
    process.off('SIGINT', onInterrupt)
  }
  printSummary(record)
  if (json) process.stdout.write(`${JSON.stringify(summaryJson(record), null, 2)}\n`)
  process.exitCode = record.status === 'done' ? 0 : record.status === 'interrupted' ? 130 : 1
}

export async function trainRunCommand(flags: TrainFlags): Promise<void> {
  const config = configFrom(flags)
  const home = punieHome()
  const runId = newTrainId()
  const root = join(config.output_dir ?? join(home, 'train'), runId)
  const store = openStore(home)
  try {
    await drive(newRecord(runId, config, root), store, flags.json === true)
  } finally {
    store.close()
  }
}

export async function trainResumeCommand(id: string, flags: { json?: boolean }): Promise<void> {
  const store = openStore()
  try {
    const record = loadRecord(store, id)
    if (record.status === 'done') throw new TrainUsageError(`run ${record.runId} is done already`)
    await drive(record, store, flags.json === true, true)
  } finally {
    store.close()
  }
}

export async function trainCheckCommand(flags: TrainFlags): Promise<void> {
  const config = configFrom(flags)
  const checks = await beforeTraining(config, RUNNERS[config.runner])
  if (flags.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`)
  else for (const c of checks) process.stdout.write(`${MARK[c.level]} ${c.name}: ${c.message}\n`)
  process.exitCode = hasErrors(checks) ? 1 : 0
}

export function trainListCommand(flags: { json?: boolean }): void {
  const store = openStore()
  try {
    const runs = store.list().map((r) => r.body)
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(runs.map(summaryJson), null, 2)}\n`)
      return
    }
    if (!runs.length) process.stdout.write('no training runs yet: punie train run --config train.yaml\n')
    for (const r of runs) {
      const best = r.bestCheckpoint
        ? `best ${r.bestCheckpoint.iteration} val ${r.bestCheckpoint.valLoss?.toFixed(3)}`
        : 'no best checkpoint'
      process.stdout.write(
        `${r.runId}  ${new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' ')}  ${r.status.padEnd(11)}  ${r.runner.padEnd(3)}  iter ${r.metrics.iteration}${r.metrics.totalIterations ? `/${r.metrics.totalIterations}` : ''}  ${best}  ${r.baseModel}\n`,
      )
    }
  } finally {
    store.close()
  }
}

export function trainShowCommand(id: string, flags: { html?: string | boolean; json?: boolean }): void {
  const store = openStore()
  try {
    const record = loadRecord(store, id)
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`)
      return
    }
    const lines = [
      `run ${record.runId}: ${record.status} (${record.runner}, ${record.baseModel})`,
      `  folder: ${record.root}`,
      `  command: ${record.command?.join(' ') ?? '—'}`,
      `  iterations: ${record.metrics.iteration}${record.metrics.totalIterations ? `/${record.metrics.totalIterations}` : ''}${record.resumes ? ` (resumed ${record.resumes}×)` : ''}`,
      `  train loss ${sparkline(record.metrics.train.map((p) => p.loss))} ${record.metrics.train.at(-1)?.loss.toFixed(3) ?? '—'}`,
      `  val loss   ${sparkline(record.metrics.val.map((p) => p.loss))} ${record.metrics.val.at(-1)?.loss.toFixed(3) ?? '—'}`,
      ...record.checkpoints.map(
        (c) =>
          `  checkpoint ${c.iteration}: val ${c.valLoss?.toFixed(3) ?? '—'}${c.iteration === record.bestCheckpoint?.iteration ? '  ← best' : ''}`,
      ),
      `  adapter: ${record.adapterPath ?? '—'}`,
      ...(record.fused
        ? [`  fused: ${record.fused.path}${record.fused.dequantized ? ' (dequantized)' : ''}`]
        : []),
      ...(record.quantized ? [`  quantized: ${record.quantized.path ?? record.quantized.skipped}`] : []),
      ...(record.failure ? [`  failure: ${record.failure.kind}: ${record.failure.message}`] : []),
      ...record.checks.map((c) => `  ${MARK[c.level]} ${c.name}: ${c.message}`),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    if (flags.html !== undefined && flags.html !== false) {
      const path = typeof flags.html === 'string' ? resolve(flags.html) : join(record.root, 'report.html')
      writeFileSync(path, renderTrainReport(record))
      process.stdout.write(`report: ${path}\n`)
    }
  } finally {
    store.close()
  }
}

async function exportStep(
  id: string,
  step: (record: TrainRecord) => Promise<TrainRecord>,
): Promise<TrainRecord> {
  const store = openStore()
  try {
    const record = loadRecord(store, id)
    try {
      await step(record)
    } catch (error) {
      if (error instanceof ExportError || error instanceof StepError) {
        process.stderr.write(`punie train: ${error.message}\n`)
        process.exitCode = 1
        return record
      }
      throw error
    } finally {
      store.save({
        id: record.runId,
        createdAt: record.createdAt,
        updatedAt: Date.now(),
        status: record.status,
        body: record,
      })
    }
    return record
  } finally {
    store.close()
  }
}

export async function trainFuseCommand(id: string, flags: { dequantize?: boolean }): Promise<void> {
  const record = await exportStep(id, (r) => fuseRun(r, flags.dequantize ? { dequantize: true } : {}))
  if (record.fused && process.exitCode !== 1) process.stdout.write(`fused: ${record.fused.path}\n`)
}

export async function trainQuantizeCommand(
  id: string,
  flags: { bits: number; json?: boolean },
): Promise<void> {
  const record = await exportStep(id, (r) => {
    const evaluator = serveAndEval(r.config, r.root)
    return quantizeRun(r, flags.bits, { onCheck: printCheck, ...(evaluator ? { evaluator } : {}) })
  })
  const q = record.quantized
  if (flags.json && q) process.stdout.write(`${JSON.stringify(q, null, 2)}\n`)
  else if (q?.path) process.stdout.write(`quantized: ${q.path}\n`)
  if (q?.passed === false) process.exitCode = 1
}
