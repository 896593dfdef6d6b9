// The grid a `punie tune` run searches: suites to score with, inference parameters and training hyperparameters,
// each a list of values, from a YAML file and/or flags. Validated with zod; expanded into points. Pure but for
// reading the file.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { configSchema } from '../config/config-file.js'
import { SERVER_KINDS } from '../model/servers/commands.js'

/** One value or a list of them; always a list after parsing. */
const values = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item).min(1).max(50)])
    .transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[])

// The sampling settings take the same bounds as the config file's: one definition of each.
const inferenceSchema = z.strictObject({
  temperature: values(configSchema.shape.temperature.unwrap()).optional(),
  top_p: values(configSchema.shape.topP.unwrap()).optional(),
  max_tokens: values(configSchema.shape.maxTokens.unwrap()).optional(),
})

const hyperValue = z.union([z.number(), z.string(), z.boolean()])

const serveSchema = z.strictObject({
  kind: z.enum(SERVER_KINDS),
  /** The base model the adapter is served on top of. */
  model: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).optional(),
  /** The server executable, when it is not the usual name on PATH. */
  binary: z.string().optional(),
  args: z.array(z.string()).optional(),
  timeout_s: z.number().positive().default(300),
})

const trainSchema = z.strictObject({
  /** The `punie train` config every point starts from; the point's hyperparameters replace its keys. */
  config: z.string().min(1),
  /** Hyperparameter name (as the train config spells it: rank, alpha, learning_rate, iters…) → values. */
  grid: z.record(z.string().regex(/^[A-Za-z][\w.-]*$/, 'use a train config key'), values(hyperValue)),
  /** How to serve each trained adapter for its evaluation (`punie server start --adapter`). */
  serve: serveSchema,
})

export const gridSpecSchema = z.strictObject({
  suites: z.array(z.string().min(1)).min(1),
  /** The model to evaluate (a spec, as --model takes); training points use the server they start instead. */
  model: z.string().min(1).optional(),
  repeat: z.number().int().min(1).max(100).default(3),
  /** Cases at once; absent: the server's slots, chosen when the search starts. */
  jobs: z.number().int().min(1).max(64).optional(),
  seed: configSchema.shape.seed,
  timeout_s: z.number().positive().optional(),
  inference: inferenceSchema.default({}),
  train: trainSchema.optional(),
})

export type GridSpec = z.output<typeof gridSpecSchema>
export type ServeSpec = z.output<typeof serveSchema>
export type HyperValue = z.infer<typeof hyperValue>

export interface InferenceParams {
  temperature?: number
  topP?: number
  maxTokens?: number
}

export interface TunePoint {
  /** Position in the grid, from 1. */
  index: number
  /** Stable identity of the point (its parameters), used to skip it on resume. */
  key: string
  inference: InferenceParams
  /** The training combination; absent for inference-only grids. */
  train?: Record<string, HyperValue>
  /** Stable identity of the training combination (points sharing one train and serve once). */
  trainKey?: string
}

export class GridError extends Error {
  override name = 'GridError'
}

/** Reads a grid file (YAML or JSON); its relative paths are taken from the file's folder. */
export function loadGrid(path: string): GridSpec {
  let raw: unknown
  try {
    raw = parseYaml(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new GridError(`${path}: ${(error as Error).message.split('\n')[0]}`)
  }
  return parseGrid(raw, path)
}

export function parseGrid(raw: unknown, where: string): GridSpec {
  const parsed = gridSpecSchema.safeParse(raw)
  if (!parsed.success) {
    throw new GridError(
      parsed.error.issues
        .map((i) => `${where}: ${i.message}${i.path.length ? ` (${i.path.join('.')})` : ''}`)
        .join('\n'),
    )
  }
  const base = dirname(resolve(where))
  const spec = parsed.data
  return {
    ...spec,
    suites: spec.suites.map((s) => resolve(base, s)),
    ...(spec.train
      ? {
          train: {
            ...spec.train,
            config: resolve(base, spec.train.config),
            serve: spec.train.serve.binary
              ? { ...spec.train.serve, binary: resolveBinary(base, spec.train.serve.binary) }
              : spec.train.serve,
          },
        }
      : {}),
  }
}

// A bare name stays a name to look up on PATH; a path is taken from the grid file's folder.
const resolveBinary = (base: string, binary: string) =>
  binary.includes('/') ? resolve(base, binary) : binary

/** Every combination, training outermost so that each trained adapter is served once for its inference points. */
export function expandGrid(spec: GridSpec): TunePoint[] {
  const inference = product<number | undefined>([
    spec.inference.temperature ?? [undefined],
    spec.inference.top_p ?? [undefined],
    spec.inference.max_tokens ?? [undefined],
  ]).map(([temperature, topP, maxTokens]) => ({
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  }))
  const names = Object.keys(spec.train?.grid ?? {})
  const trains: (Record<string, HyperValue> | undefined)[] = spec.train
    ? product(names.map((n) => spec.train?.grid[n] ?? [])).map((combo) =>
        Object.fromEntries(names.map((n, i) => [n, combo[i] as HyperValue])),
      )
    : [undefined]
  let index = 0
  return trains.flatMap((train) =>
    inference.map((params) => {
      const trainKey = train ? paramsLabel({}, train) : undefined
      return {
        index: ++index,
        key: paramsLabel(params, train),
        inference: params,
        ...(train ? { train, trainKey: trainKey as string } : {}),
      }
    }),
  )
}

/** The point's parameters as the user reads them, e.g. `rank=8 temperature=0.7 top_p=0.9`. */
export function paramsLabel(params: InferenceParams, train?: Record<string, HyperValue>): string {
  const parts = [
    ...Object.entries(train ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(params.temperature !== undefined ? [`temperature=${params.temperature}`] : []),
    ...(params.topP !== undefined ? [`top_p=${params.topP}`] : []),
    ...(params.maxTokens !== undefined ? [`max_tokens=${params.maxTokens}`] : []),
  ]
  return parts.length ? parts.join(' ') : 'defaults'
}

function product<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((combo) => list.map((v) => [...combo, v])), [[]])
}

/** A comma-separated list of numbers from a flag: `0,0.7,1`. */
export function numberList(what: string, text: string): number[] {
  const items = text.split(',').map((s) => s.trim())
  const numbers = items.map(Number)
  if (!items.length || items.some((s) => s === '') || numbers.some((n) => !Number.isFinite(n)))
    throw new GridError(`${what}: give numbers separated by commas, e.g. 0,0.7,1`)
  return numbers
}
