// What a run's log adds up to: the loss curves, the latest speed, the best checkpoint by validation loss, and
// whether to stop early (a NaN loss, or a loss that ran away from the best). Pure functions over plain values.
import type { Checkpoint, TrainEvent, TrainFailure } from './runner.js'

/** Points kept per curve; past it every other point is dropped, so a long run stays a bounded record. */
export const MAX_POINTS = 2000

export interface LossPoint {
  iteration: number
  loss: number
}

export interface RunMetrics {
  train: LossPoint[]
  val: LossPoint[]
  /** The last iteration reported. */
  iteration: number
  totalIterations?: number
  learningRate?: number
  tokensPerSec?: number
  iterationsPerSec?: number
  peakMemGb?: number
  bestTrainLoss?: number
  trainReports: number
}

export const emptyMetrics = (totalIterations?: number): RunMetrics => ({
  train: [],
  val: [],
  iteration: 0,
  trainReports: 0,
  ...(totalIterations ? { totalIterations } : {}),
})

export interface EarlyStop {
  divergenceFactor: number
  warmupReports: number
}

/** Folds one event (iterations already offset) into the metrics; returns why to stop, if it should. */
export function applyEvent(
  metrics: RunMetrics,
  event: TrainEvent,
  stop: EarlyStop,
): TrainFailure | undefined {
  switch (event.type) {
    case 'train': {
      metrics.iteration = Math.max(metrics.iteration, event.iteration)
      if (event.learningRate !== undefined) metrics.learningRate = event.learningRate
      if (event.tokensPerSec !== undefined) metrics.tokensPerSec = event.tokensPerSec
      if (event.iterationsPerSec !== undefined) metrics.iterationsPerSec = event.iterationsPerSec
      if (event.peakMemGb !== undefined) metrics.peakMemGb = event.peakMemGb
      if (!Number.isFinite(event.trainLoss))
        return { kind: 'nan', message: `train loss is ${event.trainLoss} at iteration ${event.iteration}` }
      push(metrics.train, { iteration: event.iteration, loss: event.trainLoss })
      metrics.trainReports++
      const best = metrics.bestTrainLoss
      if (
        best !== undefined &&
        metrics.trainReports > stop.warmupReports &&
        event.trainLoss > best * stop.divergenceFactor
      )
        return {
          kind: 'divergence',
          message: `train loss ${event.trainLoss} at iteration ${event.iteration} is over ${stop.divergenceFactor}× the best (${best})`,
        }
      metrics.bestTrainLoss = best === undefined ? event.trainLoss : Math.min(best, event.trainLoss)
      return undefined
    }
    case 'val':
      metrics.iteration = Math.max(metrics.iteration, event.iteration)
      if (!Number.isFinite(event.valLoss))
        return { kind: 'nan', message: `validation loss is ${event.valLoss} at iteration ${event.iteration}` }
      push(metrics.val, { iteration: event.iteration, loss: event.valLoss })
      return undefined
    case 'total':
      metrics.totalIterations = event.iterations
      return undefined
    default:
      return undefined
  }
}

function push(points: LossPoint[], point: LossPoint): void {
  points.push(point)
  if (points.length > MAX_POINTS) {
    const kept = points.filter((_, i) => i % 2 === 0 || i === points.length - 1)
    points.splice(0, points.length, ...kept)
  }
}

/**
 * Each checkpoint with the validation loss measured at its iteration (or the last one before it), and the one
 * with the lowest: a checkpoint saved before any validation has no loss and is never the best.
 */
export function withValLoss(checkpoints: readonly Checkpoint[], val: readonly LossPoint[]): Checkpoint[] {
  return checkpoints.map((c) => {
    const measured = [...val].reverse().find((p) => p.iteration <= c.iteration)
    return measured ? { ...c, valLoss: measured.loss } : { ...c }
  })
}

export function bestCheckpoint(checkpoints: readonly Checkpoint[]): Checkpoint | undefined {
  let best: Checkpoint | undefined
  for (const c of checkpoints)
    if (c.valLoss !== undefined && (best?.valLoss === undefined || c.valLoss < best.valLoss)) best = c
  return best
}

/** Seconds left, from the trainer's iterations per second or the pace so far. */
export function etaSeconds(
  metrics: RunMetrics,
  elapsedMs: number,
  startIteration: number,
): number | undefined {
  const total = metrics.totalIterations
  if (!total || metrics.iteration <= 0) return undefined
  const left = Math.max(0, total - metrics.iteration)
  if (metrics.iterationsPerSec) return left / metrics.iterationsPerSec
  const done = metrics.iteration - startIteration
  if (done <= 0 || elapsedMs <= 0) return undefined
  return (left * elapsedMs) / 1000 / done
}

const BARS = '▁▂▃▄▅▆▇█'

/** A terminal sparkline of the values, resampled to `width` characters. */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter(Number.isFinite)
  if (!finite.length) return ''
  const sampled =
    finite.length <= width
      ? finite
      : Array.from({ length: width }, (_, i) => finite[Math.floor((i * finite.length) / width)] as number)
  const min = Math.min(...sampled)
  const span = Math.max(...sampled) - min || 1
  return sampled.map((v) => BARS[Math.min(7, Math.floor(((v - min) / span) * 8))]).join('')
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** One progress line: iteration, losses, speed, ETA. */
export function progressLine(metrics: RunMetrics, eta: number | undefined): string {
  const parts = [`iter ${metrics.iteration}${metrics.totalIterations ? `/${metrics.totalIterations}` : ''}`]
  const train = metrics.train.at(-1)
  const val = metrics.val.at(-1)
  if (train) parts.push(`train ${train.loss.toFixed(3)}`)
  if (val) parts.push(`val ${val.loss.toFixed(3)}`)
  if (metrics.learningRate !== undefined) parts.push(`lr ${metrics.learningRate.toExponential(1)}`)
  if (metrics.tokensPerSec !== undefined) parts.push(`${metrics.tokensPerSec.toFixed(0)} tok/s`)
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`)
  return parts.join(' · ')
}
