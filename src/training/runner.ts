// The one interface every trainer (mlx-lm, TRL/PEFT) is driven through: what it needs on disk, the command
// line that starts it, how its log lines become progress events, where its checkpoints lie, and the commands
// that merge and export what it produced. A runner only decides; run.ts spawns, watches and records.
import type { TrainConfig } from './config.js'

/** A program to start: an argv array (never a shell string), with extra environment and a working folder. */
export interface Command {
  argv: string[]
  env?: Record<string, string>
  cwd?: string
}

/** One parsed log line. Iterations are the trainer's own count (an offset is added by run.ts on resume). */
export type TrainEvent =
  | {
      type: 'train'
      iteration: number
      trainLoss: number
      learningRate?: number
      iterationsPerSec?: number
      tokensPerSec?: number
      peakMemGb?: number
    }
  | { type: 'val'; iteration: number; valLoss: number }
  | { type: 'checkpoint'; iteration: number; path: string }
  | { type: 'total'; iterations: number }
  /** A line that names why the trainer is about to fail (the run classifies the exit with it). */
  | { type: 'failure'; failure: TrainFailure }

export type TrainFailure =
  | { kind: 'oom'; message: string; hint: string }
  | { kind: 'missing-packages'; message: string; packages: string[] }
  | { kind: 'nan'; message: string }
  | { kind: 'divergence'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'crash'; message: string }
  /** A pipeline check failed (before training, the adapter files, the smoke eval, the quantization check). */
  | { kind: 'check'; message: string }

/** A saved adapter state the run can resume from or pick as the best. */
export interface Checkpoint {
  iteration: number
  /** A file (mlx-lm) or a folder (TRL) that holds the adapter weights at this iteration. */
  path: string
  valLoss?: number
}

/** Where a run keeps everything: one folder per run. */
export interface RunPaths {
  root: string
  /** The converted dataset, in the layout the trainer expects (train.jsonl, valid.jsonl). */
  data: string
  /** Where the trainer writes adapters and checkpoints. */
  adapters: string
  log: string
  fused: string
  quantized: (bits: number) => string
}

export interface PrepareResult {
  /** Files the runner wrote (its own config), for the user to read. */
  files: string[]
}

export interface ResumePoint {
  checkpoint: Checkpoint
}

/** A step that cannot run here, and why (a tool that is not installed): a clear skip, never a crash. */
export interface Skip {
  skipped: string
}

export interface TrainingRunner {
  readonly name: 'mlx' | 'trl'
  /** The dataset format the trainer reads, by `formatByName`. */
  readonly defaultFormat: string
  /** Whether the trainer counts iterations from 1 again on resume (mlx-lm does; the HF Trainer does not). */
  readonly resumeRestartsCount: boolean
  /** The files a loadable adapter folder holds. */
  readonly adapterFiles: readonly string[]
  /** Writes the trainer's own config next to the data folder (which run.ts has written already). */
  prepare(config: TrainConfig, paths: RunPaths, resume?: ResumePoint): PrepareResult
  /** The command that trains, resuming from a checkpoint when given. */
  command(config: TrainConfig, paths: RunPaths, resume?: ResumePoint): Command
  /** One line of the trainer's output, or undefined for a line that carries nothing. Pure. */
  parseLine(line: string): TrainEvent | undefined
  /** The checkpoints on disk, oldest first. */
  checkpoints(paths: RunPaths): Checkpoint[]
  /** The folder the final adapter is in. */
  adapterDir(paths: RunPaths): string
  /** Makes `adapter` the run's adapter folder (copying a checkpoint's weights where they are a single file). */
  useCheckpoint(paths: RunPaths, checkpoint: Checkpoint): string
  /** Merges the adapter into the base model. */
  fuseCommand(config: TrainConfig, paths: RunPaths, options: { dequantize: boolean }): Command
  /** The commands that quantize the fused model to `bits`, in order; a skip when the tools are missing. */
  quantizeCommands(config: TrainConfig, paths: RunPaths, bits: number): Command[] | Skip
  /** mlx_lm.convert refuses an existing output folder; llama.cpp's tools write files into one that exists. */
  readonly quantizeOutput: 'absent' | 'folder'
  /** The model folder or file a server loads after quantizing. */
  quantizedModel(paths: RunPaths, bits: number): string
}
