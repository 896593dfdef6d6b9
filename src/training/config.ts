// A training run's settings: one YAML (or JSON) file, checked with zod; every key is snake_case as in the
// trainers' own configs. The same schema backs `punie train run --config` and the flags that override it.
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'

const argv = z.array(z.string().min(1)).min(1)

export const trainConfigSchema = z.strictObject({
  /** mlx: mlx-lm on Apple silicon; trl: TRL/PEFT on Linux/CUDA. */
  runner: z.enum(['mlx', 'trl']),
  base_model: z.string().min(1),
  /** The canonical JSONL (src/dataset/example.ts); converted into the trainer's format. */
  dataset: z.string().min(1),
  /** A separate validation file; without it `validation_split` of the dataset is held out. */
  valid_dataset: z.string().min(1).optional(),
  /** The format the trainer reads (default: mlx for mlx-lm, openai for TRL). */
  format: z.string().min(1).optional(),
  /** The text tool-call format the examples are rendered in, checked against the model's template family. */
  tool_format: z.string().min(1).optional(),
  rank: z.number().int().positive().default(8),
  alpha: z.number().positive().default(16),
  dropout: z.number().min(0).max(1).default(0.05),
  num_layers: z.number().int().min(-1).default(16),
  learning_rate: z.number().positive().default(1e-5),
  batch_size: z.number().int().positive().default(4),
  iters: z.number().int().positive().optional(),
  epochs: z.number().positive().optional(),
  seed: z.number().int().min(0).default(0),
  max_seq_length: z.number().int().positive().default(2048),
  /** The model's context window, for the token-length check (default: max_seq_length). */
  context_length: z.number().int().positive().optional(),
  validation_split: z.number().min(0).max(0.5).default(0.1),
  steps_per_report: z.number().int().positive().default(10),
  steps_per_eval: z.number().int().positive().default(50),
  save_every: z.number().int().positive().default(100),
  /** Where runs go (default $PUNIE_HOME/train); each run gets a folder named by its id. */
  output_dir: z.string().min(1).optional(),
  gpus: z.number().int().positive().default(1),
  /** An accelerate config file for several machines (TRL); passed as `accelerate launch --config_file`. */
  accelerate_config: z.string().min(1).optional(),
  /** The Python that has mlx-lm or torch/trl/peft (default: PUNIE_PYTHON, else python3). */
  python: z.string().min(1).optional(),
  /** The trainer's command, replacing the default (e.g. ["mlx_lm.lora"] or ["python3", "-m", "mlx_lm", "lora"]). */
  trainer_command: argv.optional(),
  fuse_command: argv.optional(),
  convert_command: argv.optional(),
  early_stop: z
    .strictObject({
      /** Stop when a train loss exceeds this many times the best one so far. */
      divergence_factor: z.number().gt(1).default(4),
      /** Train-loss reports to see before divergence is judged. */
      warmup_reports: z.number().int().min(0).default(3),
      /** Stop when the trainer prints nothing for this long. */
      idle_timeout_s: z.number().positive().default(1800),
    })
    .prefault({}),
  dequantize: z.boolean().default(false),
  quantize: z
    .strictObject({
      bits: z.number().int().min(2).max(8).default(5),
      /** The largest eval-score drop from the fused model that the quantized one may show. */
      max_drop: z.number().min(0).max(1).default(0.05),
    })
    .prefault({}),
  llama_cpp: z
    .strictObject({ convert_script: z.string().optional(), quantize: z.string().optional() })
    .optional(),
  /** Serving a model for the smoke eval and the quantization check; {model}, {adapter}, {port} are filled in. */
  serve: z
    .strictObject({
      command: argv,
      /** The model name sent in requests (default "default"). */
      model_name: z.string().default('default'),
      ready_timeout_s: z.number().positive().default(120),
    })
    .optional(),
  /** A small eval suite for the smoke eval and the quantization check. */
  eval_suite: z.string().min(1).optional(),
  /** The smoke eval's lowest passing score. */
  smoke_min_score: z.number().min(0).max(1).default(0.5),
})

export type TrainConfig = z.infer<typeof trainConfigSchema>
export type TrainConfigInput = z.input<typeof trainConfigSchema>

export class TrainConfigError extends Error {
  override name = 'TrainConfigError'
}

/** Parses a config value; paths in it are made absolute against `baseDir` (the config file's folder). */
export function parseTrainConfig(value: unknown, baseDir: string): TrainConfig {
  const parsed = trainConfigSchema.safeParse(value)
  if (!parsed.success)
    throw new TrainConfigError(
      parsed.error.issues
        .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
        .join('; '),
    )
  const config = parsed.data
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(baseDir, p))
  return stripUndefined({
    ...config,
    dataset: abs(config.dataset) as string,
    valid_dataset: abs(config.valid_dataset),
    output_dir: abs(config.output_dir),
    eval_suite: abs(config.eval_suite),
    accelerate_config: abs(config.accelerate_config),
  })
}

export function loadTrainConfig(path: string, overrides: Record<string, unknown> = {}): TrainConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new TrainConfigError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = parse(text)
  } catch (error) {
    throw new TrainConfigError(`${path}: ${(error as Error).message}`)
  }
  if (!value || typeof value !== 'object')
    throw new TrainConfigError(`${path}: expected a mapping of settings`)
  try {
    return parseTrainConfig({ ...value, ...overrides }, dirname(resolve(path)))
  } catch (error) {
    throw new TrainConfigError(`${path}: ${(error as Error).message}`)
  }
}

/** How many iterations the run trains: `iters`, else `epochs` over the training examples at the batch size. */
export function totalIterations(config: TrainConfig, trainExamples: number): number {
  if (config.iters) return config.iters
  const epochs = config.epochs ?? 1
  return Math.max(1, Math.ceil((epochs * trainExamples) / config.batch_size))
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
