// A training run as the store keeps it and `punie train show` / `--json` print it.
import type { CheckResult } from './checks.js'
import type { TrainConfig } from './config.js'
import type { PreparedData } from './data.js'
import type { RunMetrics } from './metrics.js'
import type { Checkpoint, TrainFailure } from './runner.js'
import type { EvalScore } from './serve-eval.js'

export type TrainStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted'

export interface QuantizeRecord {
  bits: number
  path?: string
  skipped?: string
  fusedScore?: EvalScore
  quantizedScore?: EvalScore
  drop?: number
  maxDrop: number
  passed?: boolean
}

export interface TrainRecord {
  runId: string
  status: TrainStatus
  runner: 'mlx' | 'trl'
  baseModel: string
  root: string
  createdAt: number
  config: TrainConfig
  data?: PreparedData
  /** The trainer's argv of the latest start, and the config files it read. */
  command?: string[]
  files: string[]
  /** How many times the run was resumed. */
  resumes: number
  metrics: RunMetrics
  checkpoints: Checkpoint[]
  bestCheckpoint?: Checkpoint
  adapterPath?: string
  failure?: TrainFailure
  checks: CheckResult[]
  smoke?: EvalScore & { minScore: number }
  fused?: { path: string; dequantized: boolean }
  quantized?: QuantizeRecord
}

/** What `punie train run --json` prints (and `punie tune` reads). */
export function summaryJson(record: TrainRecord) {
  const val = record.metrics.val.at(-1)
  const train = record.metrics.train.at(-1)
  return {
    runId: record.runId,
    status: record.status,
    bestCheckpoint: record.bestCheckpoint ?? null,
    adapterPath: record.adapterPath ?? null,
    metrics: {
      iterations: record.metrics.iteration,
      finalTrainLoss: train?.loss ?? null,
      finalValLoss: val?.loss ?? null,
      bestValLoss: record.bestCheckpoint?.valLoss ?? null,
      tokensPerSec: record.metrics.tokensPerSec ?? null,
      smokeScore: record.smoke?.score ?? null,
    },
    ...(record.failure ? { failure: record.failure } : {}),
  }
}
