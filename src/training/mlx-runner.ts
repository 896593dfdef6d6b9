// mlx-lm on Apple silicon: `mlx_lm.lora --config FILE` with a generated YAML config (rank, scale and dropout
// reach `lora_parameters`: mlx-lm has no --rank flag, which is how the original product lost the rank),
// `mlx_lm.fuse` to merge, `mlx_lm.convert -q --q-bits N` to quantize.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { TrainConfig } from './config.js'
import { failureFromLine } from './failures.js'
import { onPath, pythonFor } from './programs.js'
import type { Checkpoint, Command, ResumePoint, RunPaths, TrainEvent, TrainingRunner } from './runner.js'

const num = String.raw`([-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf))`
const TRAIN_LINE = new RegExp(String.raw`^Iter (\d+): Train loss ${num}`, 'i')
const VAL_LINE = new RegExp(String.raw`^Iter (\d+): Val loss ${num}`, 'i')
const SAVED_LINE = /^Iter (\d+): Saved adapter weights to .+? and (.+?)\.?$/
const field = (line: string, name: string) => {
  const m = new RegExp(`${name} ${num}`, 'i').exec(line)
  return m ? Number(m[1]) : undefined
}
const CHECKPOINT_FILE = /^(\d{7})_adapters\.safetensors$/
/** On resume mlx-lm counts from 1 again: a resumed run writes into adapters-from-N, N its first iteration. */
const ADAPTER_FOLDER = /^adapters(?:-from-(\d+))?$/

/** The mlx-lm LoRA config: the keys of mlx_lm/lora.py's CONFIG_DEFAULTS. Pure. */
export function mlxLoraConfig(
  config: TrainConfig,
  paths: RunPaths,
  resume?: ResumePoint,
): Record<string, unknown> {
  const offset = resume?.checkpoint.iteration ?? 0
  return {
    model: config.base_model,
    train: true,
    fine_tune_type: 'lora',
    data: paths.data,
    seed: config.seed,
    num_layers: config.num_layers,
    batch_size: config.batch_size,
    iters: Math.max(1, (config.iters ?? 1000) - offset),
    learning_rate: config.learning_rate,
    steps_per_report: config.steps_per_report,
    steps_per_eval: config.steps_per_eval,
    save_every: config.save_every,
    adapter_path: adapterFolder(paths, offset),
    max_seq_length: config.max_seq_length,
    ...(resume ? { resume_adapter_file: resume.checkpoint.path } : {}),
    // mlx-lm multiplies the low-rank update by `scale`; PEFT by alpha / rank. The same alpha means the same update.
    lora_parameters: { rank: config.rank, scale: config.alpha / config.rank, dropout: config.dropout },
  }
}

function adapterFolder(paths: RunPaths, offset: number): string {
  return offset ? `${paths.adapters}-from-${offset}` : paths.adapters
}

const configFile = (paths: RunPaths) => join(paths.root, 'lora_config.yaml')

/** The mlx-lm program: its console script when on PATH, else `python -m mlx_lm NAME`. */
function mlxProgram(config: TrainConfig, name: 'lora' | 'fuse' | 'convert'): string[] {
  const override = {
    lora: config.trainer_command,
    fuse: config.fuse_command,
    convert: config.convert_command,
  }[name]
  if (override) return override
  return onPath(`mlx_lm.${name}`) ? [`mlx_lm.${name}`] : [pythonFor(config), '-m', 'mlx_lm', name]
}

export function parseMlxLine(raw: string): TrainEvent | undefined {
  const line = raw.trim()
  let m = TRAIN_LINE.exec(line)
  if (m) {
    const event: TrainEvent = { type: 'train', iteration: Number(m[1]), trainLoss: Number(m[2]) }
    const lr = field(line, 'Learning Rate')
    const itSec = field(line, 'It/sec')
    const tokSec = field(line, 'Tokens/sec')
    const mem = field(line, 'Peak mem')
    if (lr !== undefined) event.learningRate = lr
    if (itSec !== undefined) event.iterationsPerSec = itSec
    if (tokSec !== undefined) event.tokensPerSec = tokSec
    if (mem !== undefined) event.peakMemGb = mem
    return event
  }
  m = VAL_LINE.exec(line)
  if (m) return { type: 'val', iteration: Number(m[1]), valLoss: Number(m[2]) }
  m = SAVED_LINE.exec(line)
  if (m) return { type: 'checkpoint', iteration: Number(m[1]), path: m[2] as string }
  m = /^Training\b.*?(?:iters|iterations)[:= ]+(\d+)/i.exec(line)
  if (m) return { type: 'total', iterations: Number(m[1]) }
  const failure = failureFromLine(line)
  return failure ? { type: 'failure', failure } : undefined
}

export const mlxRunner: TrainingRunner = {
  name: 'mlx',
  defaultFormat: 'mlx',
  resumeRestartsCount: true,
  adapterFiles: ['adapters.safetensors', 'adapter_config.json'],
  prepare(config, paths, resume) {
    mkdirSync(paths.root, { recursive: true })
    const file = configFile(paths)
    writeFileSync(file, stringify(mlxLoraConfig(config, paths, resume)))
    return { files: [file] }
  },
  command(config, paths): Command {
    return { argv: [...mlxProgram(config, 'lora'), '--config', configFile(paths)], cwd: paths.root }
  },
  parseLine: parseMlxLine,
  checkpoints(paths) {
    const found: Checkpoint[] = []
    if (!existsSync(paths.root)) return found
    for (const folder of readdirSync(paths.root)) {
      const f = ADAPTER_FOLDER.exec(folder)
      if (!f) continue
      const offset = Number(f[1] ?? 0)
      for (const file of readdirSync(join(paths.root, folder))) {
        const c = CHECKPOINT_FILE.exec(file)
        if (c) found.push({ iteration: offset + Number(c[1]), path: join(paths.root, folder, file) })
      }
    }
    return found.sort((a, b) => a.iteration - b.iteration)
  },
  adapterDir(paths) {
    const offsets = existsSync(paths.root)
      ? readdirSync(paths.root).flatMap((f) => {
          const m = ADAPTER_FOLDER.exec(f)
          return m ? [Number(m[1] ?? 0)] : []
        })
      : []
    return adapterFolder(paths, Math.max(0, ...offsets))
  },
  useCheckpoint(paths, checkpoint) {
    const dir = join(paths.root, 'best-adapter')
    mkdirSync(dir, { recursive: true })
    copyFileSync(checkpoint.path, join(dir, 'adapters.safetensors'))
    const configJson = join(checkpoint.path, '..', 'adapter_config.json')
    const fallback = join(paths.adapters, 'adapter_config.json')
    const source = existsSync(configJson) ? configJson : fallback
    if (existsSync(source)) copyFileSync(source, join(dir, 'adapter_config.json'))
    return dir
  },
  fuseCommand(config, paths, { dequantize }) {
    return {
      argv: [
        ...mlxProgram(config, 'fuse'),
        '--model',
        config.base_model,
        '--adapter-path',
        join(paths.root, 'best-adapter'),
        '--save-path',
        paths.fused,
        ...(dequantize ? ['--dequantize'] : []),
      ],
      cwd: paths.root,
    }
  },
  quantizeCommands(config, paths, bits) {
    return [
      {
        argv: [
          ...mlxProgram(config, 'convert'),
          '--hf-path',
          paths.fused,
          '--mlx-path',
          paths.quantized(bits),
          '-q',
          '--q-bits',
          String(bits),
        ],
        cwd: paths.root,
      },
    ]
  },
  quantizeOutput: 'absent',
  quantizedModel: (paths, bits) => paths.quantized(bits),
}
