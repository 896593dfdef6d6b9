// TRL/PEFT on Linux/CUDA: the script shipped in python/punie_train_trl.py, run with the user's Python (under
// `accelerate launch` for more than one GPU); it prints "PUNIE {json}" progress lines. Merging is the same
// script (`merge_and_unload`); quantizing exports GGUF for llama.cpp when its tools are there.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../package-root.js'
import type { TrainConfig } from './config.js'
import { failureFromLine } from './failures.js'
import { onPath, pythonFor } from './programs.js'
import type { Checkpoint, Command, RunPaths, TrainEvent, TrainingRunner } from './runner.js'

export const TRL_SCRIPT = () => join(packageRoot(), 'python', 'punie_train_trl.py')
export const TRL_PACKAGES = ['torch', 'transformers', 'datasets', 'peft', 'trl', 'accelerate']
const CHECKPOINT_FOLDER = /^checkpoint-(\d+)$/

/** llama.cpp's quantization type for a bit width (K-quants where llama.cpp has them). */
export function ggufType(bits: number): string {
  return (
    ({ 8: 'Q8_0', 6: 'Q6_K', 5: 'Q5_K_M', 4: 'Q4_K_M', 3: 'Q3_K_M', 2: 'Q2_K' } as Record<number, string>)[
      bits
    ] ?? 'Q8_0'
  )
}

/** The settings the script reads (run.json). Pure. */
export function trlRunConfig(config: TrainConfig, paths: RunPaths): Record<string, unknown> {
  return {
    base_model: config.base_model,
    data: paths.data,
    output_dir: paths.adapters,
    rank: config.rank,
    alpha: config.alpha,
    dropout: config.dropout,
    learning_rate: config.learning_rate,
    batch_size: config.batch_size,
    ...(config.iters ? { iters: config.iters } : { epochs: config.epochs ?? 1 }),
    seed: config.seed,
    max_seq_length: config.max_seq_length,
    steps_per_report: config.steps_per_report,
    steps_per_eval: config.steps_per_eval,
    save_every: config.save_every,
  }
}

/** The launcher: python for one GPU, `accelerate launch` for several (or a multi-node accelerate config). */
export function trlLauncher(config: TrainConfig): string[] {
  if (config.trainer_command) return config.trainer_command
  const python = pythonFor(config)
  if (config.gpus <= 1 && !config.accelerate_config) return [python, TRL_SCRIPT()]
  return [
    python,
    '-m',
    'accelerate.commands.launch',
    ...(config.accelerate_config ? ['--config_file', config.accelerate_config] : ['--multi_gpu']),
    // A config file's num_processes counts every machine's GPUs; the flag would override it, so only when asked.
    ...(config.gpus > 1 ? ['--num_processes', String(config.gpus)] : []),
    TRL_SCRIPT(),
  ]
}

export function parseTrlLine(raw: string): TrainEvent | undefined {
  const line = raw.trim()
  if (line.startsWith('PUNIE ')) {
    let value: Record<string, unknown>
    try {
      value = JSON.parse(line.slice(6)) as Record<string, unknown>
    } catch {
      return undefined
    }
    const n = (v: unknown) => (v === 'nan' ? Number.NaN : typeof v === 'number' ? v : undefined)
    const step = n(value.step) ?? 0
    switch (value.event) {
      case 'train': {
        const loss = n(value.loss)
        if (loss === undefined) return undefined
        const event: TrainEvent = { type: 'train', iteration: step, trainLoss: loss }
        const lr = n(value.learning_rate)
        const tok = n(value.tokens_per_sec)
        if (lr !== undefined) event.learningRate = lr
        if (tok !== undefined) event.tokensPerSec = tok
        return event
      }
      case 'eval': {
        const loss = n(value.loss)
        return loss === undefined ? undefined : { type: 'val', iteration: step, valLoss: loss }
      }
      case 'checkpoint':
        return typeof value.path === 'string'
          ? { type: 'checkpoint', iteration: step, path: value.path }
          : undefined
      case 'total':
        return typeof value.steps === 'number' ? { type: 'total', iterations: value.steps } : undefined
      case 'missing': {
        const packages = Array.isArray(value.packages) ? value.packages.map(String) : []
        const python = typeof value.python === 'string' ? value.python : 'python'
        return {
          type: 'failure',
          failure: {
            kind: 'missing-packages',
            packages,
            message: `${python} lacks ${packages.join(', ')}: pip install ${packages.join(' ')} (or point --python / PUNIE_PYTHON at a Python that has them)`,
          },
        }
      }
      default:
        return undefined
    }
  }
  const failure = failureFromLine(line)
  return failure ? { type: 'failure', failure } : undefined
}

export const trlRunner: TrainingRunner = {
  name: 'trl',
  defaultFormat: 'openai',
  resumeRestartsCount: false,
  adapterFiles: ['adapter_model.safetensors', 'adapter_config.json'],
  prepare(config, paths) {
    mkdirSync(paths.root, { recursive: true })
    const file = join(paths.root, 'trl_config.json')
    writeFileSync(file, `${JSON.stringify(trlRunConfig(config, paths), null, 2)}\n`)
    return { files: [file] }
  },
  command(config, paths, resume): Command {
    return {
      argv: [
        ...trlLauncher(config),
        'train',
        '--config',
        join(paths.root, 'trl_config.json'),
        ...(resume ? ['--resume-from-checkpoint', resume.checkpoint.path] : []),
      ],
      cwd: paths.root,
    }
  },
  parseLine: parseTrlLine,
  checkpoints(paths) {
    if (!existsSync(paths.adapters)) return []
    return readdirSync(paths.adapters)
      .flatMap((f): Checkpoint[] => {
        const m = CHECKPOINT_FOLDER.exec(f)
        return m ? [{ iteration: Number(m[1]), path: join(paths.adapters, f) }] : []
      })
      .sort((a, b) => a.iteration - b.iteration)
  },
  adapterDir: (paths) => paths.adapters,
  // A TRL checkpoint folder is a loadable adapter as it is.
  useCheckpoint: (_paths, checkpoint) => checkpoint.path,
  fuseCommand(config, paths) {
    const python = pythonFor(config)
    const script = config.fuse_command ?? [python, TRL_SCRIPT()]
    return {
      argv: [
        ...script,
        'merge',
        '--base',
        config.base_model,
        '--adapter',
        join(paths.root, 'best-adapter'),
        '--out',
        paths.fused,
      ],
      cwd: paths.root,
    }
  },
  quantizeCommands(config, paths, bits) {
    const convert = config.llama_cpp?.convert_script ?? onPath('convert_hf_to_gguf.py')
    const quantize = config.llama_cpp?.quantize ?? onPath('llama-quantize')
    if (!convert || !quantize)
      return {
        skipped: `GGUF export skipped: ${[!convert && 'convert_hf_to_gguf.py', !quantize && 'llama-quantize'].filter(Boolean).join(' and ')} not found (put llama.cpp's tools on PATH or set llama_cpp.convert_script / llama_cpp.quantize)`,
      }
    const out = paths.quantized(bits)
    const f16 = join(out, 'model-f16.gguf')
    return [
      {
        argv: [pythonFor(config), convert, paths.fused, '--outfile', f16, '--outtype', 'f16'],
        cwd: paths.root,
      },
      { argv: [quantize, f16, join(out, `model-${ggufType(bits)}.gguf`), ggufType(bits)], cwd: paths.root },
    ]
  },
  quantizeOutput: 'folder',
  quantizedModel: (paths, bits) => join(paths.quantized(bits), `model-${ggufType(bits)}.gguf`),
}
