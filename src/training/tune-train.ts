// The training half of a grid point, against `punie train`'s contract: write the run's config (the grid's base
// config with the point's hyperparameters in place), run `punie train run --config FILE --json`, and read the
// final run record it prints ({runId, status, bestCheckpoint, adapterPath, metrics}).
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { z } from 'zod'
import { logTail } from '../model/servers/managed.js'
import { signalProcessGroup } from '../processes.js'
import type { HyperValue } from './tune-spec.js'

export const trainRecordSchema = z
  .object({
    runId: z.string().min(1),
    status: z.string(),
    bestCheckpoint: z.unknown().optional(),
    adapterPath: z.string().min(1),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough()

export type TrainRecord = z.infer<typeof trainRecordSchema>

export class TrainStepError extends Error {
  override name = 'TrainStepError'
}

/** The program that trains: an argv prefix to which `train run --config FILE --json` is added. */
export interface TrainCommand {
  command: string
  args: readonly string[]
}

/** Keys of a train config that hold paths, made absolute because the generated file lives elsewhere. */
const PATH_KEYS = ['dataset', 'valid_dataset', 'output_dir', 'eval_suite', 'accelerate_config'] as const

/**
 * The config of one training combination: the base file's settings, paths made absolute against its folder, and
 * the hyperparameters set (a dotted name reaches into a section: `early_stop.divergence_factor`).
 */
export function trainConfigFor(basePath: string, hyper: Record<string, HyperValue>): Record<string, unknown> {
  let base: unknown
  try {
    base = parseYaml(readFileSync(basePath, 'utf8'))
  } catch (error) {
    throw new TrainStepError(`train config ${basePath}: ${(error as Error).message.split('\n')[0]}`)
  }
  if (!base || typeof base !== 'object' || Array.isArray(base))
    throw new TrainStepError(`train config ${basePath}: expected a mapping of settings`)
  const config = structuredClone(base) as Record<string, unknown>
  const dir = dirname(resolve(basePath))
  for (const key of PATH_KEYS) {
    const value = config[key]
    if (typeof value === 'string' && !isAbsolute(value)) config[key] = resolve(dir, value)
  }
  for (const [name, value] of Object.entries(hyper)) setPath(config, name.split('.'), value)
  return config
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path as [string, ...string[]]
  if (!rest.length) {
    target[head] = value
    return
  }
  const next = target[head]
  const child =
    next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : {}
  target[head] = child
  setPath(child, rest, value)
}

export interface TrainRunOptions {
  signal?: AbortSignal
  /** The longest a training run may take. */
  timeoutMs: number
}

/**
 * Writes the config into `dir`, trains, and returns the run record. The trainer's stderr (its progress) goes to
 * `dir/train.log`; its stdout must end with the JSON record.
 */
export async function trainPoint(
  train: TrainCommand,
  config: Record<string, unknown>,
  dir: string,
  options: TrainRunOptions,
): Promise<TrainRecord> {
  const configPath = join(dir, 'train.yaml')
  writeFileSync(configPath, toYaml(config))
  const logPath = join(dir, 'train.log')
  const log = openSync(logPath, 'w')
  const argv = [...train.args, 'train', 'run', '--config', configPath, '--json']
  const child = spawn(train.command, argv, { stdio: ['ignore', 'pipe', log], detached: true })
  closeSync(log)
  let stdout = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (d: string) => {
    // The record is small; a trainer that floods stdout is cut rather than held.
    if (stdout.length < 1_000_000) stdout += d
  })
  const stop = () => child.pid && signalProcessGroup(child.pid, 'SIGTERM')
  const timer = setTimeout(stop, options.timeoutMs)
  options.signal?.addEventListener('abort', stop, { once: true })
  const exit = await new Promise<{ code: number | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, error }))
    child.once('close', (code) => done({ code }))
  }).finally(() => {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', stop)
  })
  if (options.signal?.aborted) throw new TrainStepError('interrupted')
  if (exit.error) throw new TrainStepError(`could not run ${train.command}: ${exit.error.message}`)
  const record = lastRecord(stdout)
  if (exit.code !== 0 || !record) {
    const tail = logTail(logPath, 10)
    throw new TrainStepError(
      `${[train.command, ...argv].join(' ')} ${exit.code !== 0 ? `exited with code ${exit.code}` : 'printed no run record'}${tail ? `\n--- ${logPath} (last lines) ---\n${tail}` : ''}`,
    )
  }
  if (UNUSABLE.test(record.status))
    throw new TrainStepError(`training run ${record.runId} ended ${record.status} (log: ${logPath})`)
  return record
}

// A run that ended any of these ways has no adapter worth scoring; an early stop keeps its best checkpoint.
const UNUSABLE = /fail|error|interrupt|cancel|kill|crash/i

/** The run record: the last line of stdout that parses, or the whole of stdout as one JSON value. */
export function lastRecord(stdout: string): TrainRecord | undefined {
  const candidates = [stdout, ...stdout.trim().split('\n').reverse()]
  for (const text of candidates) {
    try {
      const parsed = trainRecordSchema.safeParse(JSON.parse(text))
      if (parsed.success) return parsed.data
    } catch {}
  }
  return undefined
}
