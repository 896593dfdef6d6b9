// A grid search's folder: tune.json (the grid as run), points.jsonl (each scored point and each trained
// adapter, appended the moment it is known, so Ctrl-C or a crash loses at most the point in flight), and the
// results (results.html, results.json) written at the end. `punie tune --resume DIR` reads it back.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { PointOutcome } from './tune-figures.js'
import type { GridSpec } from './tune-spec.js'
import type { TrainRecord } from './tune-train.js'

export interface TuneManifest {
  id: string
  createdAt: number
  /** The model inference-only points are scored against. */
  model: string
  spec: GridSpec
}

export type TuneLine =
  | ({ type: 'point' } & PointOutcome)
  | { type: 'trained'; trainKey: string; record: TrainRecord }

export class TuneStoreError extends Error {
  override name = 'TuneStoreError'
}

const manifestSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  model: z.string(),
  spec: z.record(z.string(), z.unknown()),
})

export class TuneDir {
  constructor(readonly path: string) {}

  static create(path: string, manifest: TuneManifest): TuneDir {
    if (existsSync(join(path, 'tune.json')))
      throw new TuneStoreError(`${path} already holds a grid search: resume it with --resume ${path}`)
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'tune.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    return new TuneDir(path)
  }

  manifest(): TuneManifest {
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(join(this.path, 'tune.json'), 'utf8'))
    } catch (error) {
      throw new TuneStoreError(
        `${this.path} is not a grid search folder (no readable tune.json: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      )
    }
    if (!manifestSchema.safeParse(raw).success)
      throw new TuneStoreError(`${join(this.path, 'tune.json')} is not a grid search manifest`)
    return raw as TuneManifest
  }

  /** What is done: scored points by key, trained adapters by training key. A torn last line is ignored. */
  read(): { points: Map<string, PointOutcome>; trained: Map<string, TrainRecord> } {
    const points = new Map<string, PointOutcome>()
    const trained = new Map<string, TrainRecord>()
    let text = ''
    try {
      text = readFileSync(join(this.path, 'points.jsonl'), 'utf8')
    } catch {
      return { points, trained }
    }
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue
      let line: TuneLine
      try {
        line = JSON.parse(raw) as TuneLine
      } catch {
        continue
      }
      if (line.type === 'point') {
        const { type: _, ...point } = line
        points.set(point.key, point)
      } else if (line.type === 'trained') trained.set(line.trainKey, line.record)
    }
    return { points, trained }
  }

  /** Appends one line in one write, so a kill leaves whole lines. */
  append(line: TuneLine): void {
    appendFileSync(join(this.path, 'points.jsonl'), `${JSON.stringify(line)}\n`)
  }

  write(name: 'results.html' | 'results.json' | 'results.txt', text: string): string {
    const path = join(this.path, name)
    writeFileSync(path, text)
    return path
  }

  /** A folder for one training combination's generated config and outputs. */
  trainDir(index: number): string {
    const dir = join(this.path, `train-${String(index).padStart(2, '0')}`)
    mkdirSync(dir, { recursive: true })
    return dir
  }
}
