// A grid search: every point of the grid scored by an evaluation, training first where the point has
// hyperparameters (each combination trained once, served, and evaluated at each of its inference points).
// What is done is in the tune folder before the next point starts; a resumed search skips it.
import type { CaseResult } from '../eval/runner.js'
import { type PointOutcome, pointFigures } from './tune-figures.js'
import type { TunePoint } from './tune-spec.js'
import type { TuneDir } from './tune-store.js'
import type { TrainRecord } from './tune-train.js'

/** Scores `model` at the point's inference parameters in the eval run `evalRunId` (resuming it if it exists). */
export type Evaluate = (request: {
  point: TunePoint
  model: string
  evalRunId: string
  signal: AbortSignal
}) => Promise<CaseResult[]>

/** A model served for evaluation: its spec (as --model takes) and how to stop it. */
export interface Served {
  model: string
  stop(): Promise<void>
}

export interface TrainingSteps {
  /** Trains one combination (its config written to a folder of the tune dir) and returns the run record. */
  train(point: TunePoint, signal: AbortSignal): Promise<TrainRecord>
  serve(record: TrainRecord, point: TunePoint): Promise<Served>
}

export type TuneEvent =
  | { type: 'skip'; point: TunePoint; total: number }
  | { type: 'start'; point: TunePoint; total: number }
  | { type: 'train'; point: TunePoint; total: number }
  | { type: 'trained'; point: TunePoint; record: TrainRecord }
  | { type: 'done'; outcome: PointOutcome; total: number }
  | { type: 'failed'; point: TunePoint; error: string; total: number }

export interface TuneOptions {
  dir: TuneDir
  tuneId: string
  points: readonly TunePoint[]
  /** The model inference-only points are scored against. */
  model: string
  evaluate: Evaluate
  training?: TrainingSteps
  onEvent?: (event: TuneEvent) => void
  signal: AbortSignal
}

export interface TuneResult {
  /** Every scored point, those from before a resume included, in grid order. */
  outcomes: PointOutcome[]
  failed: { point: TunePoint; error: string }[]
  interrupted: boolean
}

export const evalRunIdFor = (tuneId: string, point: TunePoint) =>
  `tune-${tuneId}-p${String(point.index).padStart(2, '0')}`

export async function runTune(o: TuneOptions): Promise<TuneResult> {
  const { points: done, trained } = o.dir.read()
  const total = o.points.length
  const failed: TuneResult['failed'] = []
  const groups = groupByTraining(o.points)
  for (const group of groups) {
    if (o.signal.aborted) break
    const todo = group.filter((p) => {
      if (!done.has(p.key)) return true
      o.onEvent?.({ type: 'skip', point: p, total })
      return false
    })
    if (!todo.length) continue
    let served: Served | undefined
    const first = todo[0] as TunePoint
    try {
      if (first.trainKey !== undefined) {
        if (!o.training) throw new Error('the grid has training hyperparameters but no way to train')
        let record = trained.get(first.trainKey)
        if (!record) {
          o.onEvent?.({ type: 'train', point: first, total })
          record = await o.training.train(first, o.signal)
          o.dir.append({ type: 'trained', trainKey: first.trainKey, record })
          trained.set(first.trainKey, record)
          o.onEvent?.({ type: 'trained', point: first, record })
        }
        if (o.signal.aborted) break
        served = await o.training.serve(record, first)
      }
      for (const point of todo) {
        if (o.signal.aborted) break
        o.onEvent?.({ type: 'start', point, total })
        const evalRunId = evalRunIdFor(o.tuneId, point)
        const results = await o.evaluate({
          point,
          model: served?.model ?? o.model,
          evalRunId,
          signal: o.signal,
        })
        // An interrupted evaluation keeps its attempts in the eval store; the point is finished on resume.
        if (o.signal.aborted) break
        const outcome: PointOutcome = {
          index: point.index,
          key: point.key,
          inference: point.inference,
          ...(point.train ? { train: point.train } : {}),
          evalRunId,
          figures: pointFigures(results),
        }
        o.dir.append({ type: 'point', ...outcome })
        done.set(point.key, outcome)
        o.onEvent?.({ type: 'done', outcome, total })
      }
    } catch (error) {
      if (o.signal.aborted) break
      const message = error instanceof Error ? error.message : String(error)
      // A training combination that fails takes its inference points with it; the rest of the grid goes on.
      for (const point of todo.filter((p) => !done.has(p.key))) {
        failed.push({ point, error: message })
        o.onEvent?.({ type: 'failed', point, error: message, total })
      }
    } finally {
      await served?.stop()
    }
  }
  const order = new Map(o.points.map((p) => [p.key, p.index]))
  return {
    outcomes: [...done.values()]
      .filter((p) => order.has(p.key))
      .sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0)),
    failed,
    interrupted: o.signal.aborted,
  }
}

/** Consecutive points that share a training combination (expandGrid puts training outermost). */
function groupByTraining(points: readonly TunePoint[]): TunePoint[][] {
  const groups: TunePoint[][] = []
  for (const p of points) {
    const last = groups.at(-1)
    if (last && last[0]?.trainKey === p.trainKey) last.push(p)
    else groups.push([p])
  }
  return groups
}
