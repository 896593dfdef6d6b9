import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  adapterCheck,
  directAnswerCheck,
  safetensorsProblem,
  templateCheck,
} from '../../src/training/checks.js'
import { parseTrainConfig, type TrainConfig } from '../../src/training/config.js'
import { isHeldOut } from '../../src/training/data.js'
import { quantizationCheck } from '../../src/training/export.js'
import { lossChart, ticks } from '../../src/training/loss-chart.js'
import {
  applyEvent,
  bestCheckpoint,
  emptyMetrics,
  etaSeconds,
  sparkline,
  withValLoss,
} from '../../src/training/metrics.js'
import { mlxLoraConfig, mlxRunner, parseMlxLine } from '../../src/training/mlx-runner.js'
import { runPaths } from '../../src/training/run.js'
import { dropDanglingFlags, serveArgv } from '../../src/training/serve-eval.js'
import { parseTrlLine, TRL_SCRIPT, trlLauncher, trlRunner } from '../../src/training/trl-runner.js'
import { makeTempDir } from '../helpers/temp.js'

const temp = makeTempDir('punie-train-unit-')
afterAll(() => temp.remove())

const config = (extra: Record<string, unknown> = {}): TrainConfig =>
  parseTrainConfig(
    {
      runner: 'mlx',
      base_model: 'mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit',
      dataset: 'data.jsonl',
      ...extra,
    },
    '/work',
  )

describe('mlx-lm log lines', () => {
  it('parses a train report with its learning rate, speed and memory', () => {
    expect(
      parseMlxLine(
        'Iter 10: Train loss 1.234, Learning Rate 1.000e-05, It/sec 0.512, Tokens/sec 123.400, Trained Tokens 1234, Peak mem 5.210 GB',
      ),
    ).toEqual({
      type: 'train',
      iteration: 10,
      trainLoss: 1.234,
      learningRate: 1e-5,
      iterationsPerSec: 0.512,
      tokensPerSec: 123.4,
      peakMemGb: 5.21,
    })
  })

  it('parses validation, saved checkpoints, a NaN loss and a Metal out-of-memory line', () => {
    expect(parseMlxLine('Iter 1: Val loss 2.871, Val took 3.214s')).toEqual({
      type: 'val',
      iteration: 1,
      valLoss: 2.871,
    })
    expect(
      parseMlxLine(
        'Iter 100: Saved adapter weights to adapters/adapters.safetensors and adapters/0000100_adapters.safetensors.',
      ),
    ).toEqual({ type: 'checkpoint', iteration: 100, path: 'adapters/0000100_adapters.safetensors' })
    const nan = parseMlxLine(
      'Iter 30: Train loss nan, Learning Rate 1.000e-05, It/sec 2.000, Tokens/sec 812.345',
    )
    expect(nan?.type === 'train' && Number.isNaN(nan.trainLoss)).toBe(true)
    const oom = parseMlxLine(
      '[METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)',
    )
    expect(oom?.type === 'failure' && oom.failure.kind).toBe('oom')
    expect(parseMlxLine('Loading pretrained model')).toBeUndefined()
  })
})

describe('the mlx-lm config and command lines', () => {
  const paths = runPaths('/runs/r1')

  it('carries rank, scale and dropout in lora_parameters, with mlx_lm.lora’s own key names', () => {
    const yaml = mlxLoraConfig(
      config({ rank: 32, alpha: 64, dropout: 0.1, num_layers: 8, iters: 600 }),
      paths,
    )
    expect(yaml.lora_parameters).toEqual({ rank: 32, scale: 2, dropout: 0.1 })
    // The keys of mlx_lm/lora.py's CONFIG_DEFAULTS, and nothing mlx-lm would reject.
    const documented = [
      'model',
      'train',
      'fine_tune_type',
      'data',
      'seed',
      'num_layers',
      'batch_size',
      'iters',
      'learning_rate',
      'steps_per_report',
      'steps_per_eval',
      'save_every',
      'adapter_path',
      'max_seq_length',
      'resume_adapter_file',
      'lora_parameters',
    ]
    for (const key of Object.keys(yaml)) expect(documented).toContain(key)
    expect(yaml).toMatchObject({
      num_layers: 8,
      iters: 600,
      data: '/runs/r1/data',
      adapter_path: '/runs/r1/adapters',
      train: true,
    })
  })

  it('resumes from a checkpoint file with the iterations left, into a folder of its own', () => {
    const checkpoint = { iteration: 200, path: '/runs/r1/adapters/0000200_adapters.safetensors' }
    const yaml = mlxLoraConfig(config({ iters: 600 }), paths, { checkpoint })
    expect(yaml).toMatchObject({
      resume_adapter_file: checkpoint.path,
      iters: 400,
      adapter_path: '/runs/r1/adapters-from-200',
    })
  })

  it('writes the YAML where --config points, and builds fuse and convert with their documented flags', () => {
    const c = config({
      trainer_command: ['mlx_lm.lora'],
      fuse_command: ['mlx_lm.fuse'],
      convert_command: ['mlx_lm.convert'],
      rank: 16,
    })
    const dir = join(temp.path, 'mlx')
    const p = runPaths(dir)
    const { files } = mlxRunner.prepare(c, p)
    const command = mlxRunner.command(c, p)
    expect(command.argv).toEqual(['mlx_lm.lora', '--config', join(dir, 'lora_config.yaml')])
    expect(files).toEqual([join(dir, 'lora_config.yaml')])
    const written = parse(readFileSync(files[0] as string, 'utf8'))
    expect(written.lora_parameters.rank).toBe(16)
    expect(mlxRunner.fuseCommand(c, p, { dequantize: true }).argv).toEqual([
      'mlx_lm.fuse',
      '--model',
      c.base_model,
      '--adapter-path',
      join(dir, 'best-adapter'),
      '--save-path',
      join(dir, 'fused'),
      '--dequantize',
    ])
    expect(mlxRunner.quantizeCommands(c, p, 5)).toEqual([
      {
        argv: [
          'mlx_lm.convert',
          '--hf-path',
          join(dir, 'fused'),
          '--mlx-path',
          join(dir, 'quantized-5bit'),
          '-q',
          '--q-bits',
          '5',
        ],
        cwd: dir,
      },
    ])
  })

  it('falls back to python -m mlx_lm when the console scripts are not on PATH', () => {
    const saved = process.env.PATH
    process.env.PATH = temp.path
    try {
      expect(mlxRunner.command(config({ python: '/opt/py/bin/python3' }), paths).argv.slice(0, 4)).toEqual([
        '/opt/py/bin/python3',
        '-m',
        'mlx_lm',
        'lora',
      ])
    } finally {
      process.env.PATH = saved
    }
  })
})

describe('TRL', () => {
  it('parses the script’s progress lines and ignores the Trainer’s own dict lines', () => {
    expect(
      parseTrlLine(
        'PUNIE {"event":"train","step":20,"loss":0.91,"learning_rate":0.0001,"tokens_per_sec":950.5}',
      ),
    ).toEqual({
      type: 'train',
      iteration: 20,
      trainLoss: 0.91,
      learningRate: 1e-4,
      tokensPerSec: 950.5,
    })
    expect(parseTrlLine('PUNIE {"event":"eval","step":50,"loss":0.8}')).toEqual({
      type: 'val',
      iteration: 50,
      valLoss: 0.8,
    })
    expect(
      parseTrlLine("{'loss': 0.91, 'grad_norm': 0.41, 'learning_rate': 1e-05, 'epoch': 0.1}"),
    ).toBeUndefined()
    const cuda = parseTrlLine('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.')
    expect(cuda?.type === 'failure' && cuda.failure.kind).toBe('oom')
  })

  it('names the pip packages a Python lacks', () => {
    const event = parseTrlLine(
      'PUNIE {"event":"missing","packages":["trl","peft"],"python":"/usr/bin/python3"}',
    )
    expect(
      event?.type === 'failure' && event.failure.kind === 'missing-packages' && event.failure.message,
    ).toContain('pip install trl peft')
  })

  it('launches with accelerate for several GPUs, and with an accelerate config file across machines', () => {
    const trl = (extra: Record<string, unknown>) => config({ runner: 'trl', python: 'py', ...extra })
    expect(trlLauncher(trl({}))).toEqual(['py', TRL_SCRIPT()])
    expect(trlLauncher(trl({ gpus: 4 }))).toEqual([
      'py',
      '-m',
      'accelerate.commands.launch',
      '--multi_gpu',
      '--num_processes',
      '4',
      TRL_SCRIPT(),
    ])
    expect(trlLauncher(trl({ gpus: 8, accelerate_config: 'multi.yaml' }))).toEqual([
      'py',
      '-m',
      'accelerate.commands.launch',
      '--config_file',
      '/work/multi.yaml',
      '--num_processes',
      '8',
      TRL_SCRIPT(),
    ])
    // Without gpus the file's own num_processes (all machines' GPUs) stands.
    expect(trlLauncher(trl({ accelerate_config: 'multi.yaml' }))).toEqual([
      'py',
      '-m',
      'accelerate.commands.launch',
      '--config_file',
      '/work/multi.yaml',
      TRL_SCRIPT(),
    ])
  })

  it('skips the GGUF export when llama.cpp’s tools are missing, and names them', () => {
    const saved = process.env.PATH
    process.env.PATH = temp.path
    try {
      const result = trlRunner.quantizeCommands(config({ runner: 'trl' }), runPaths('/r'), 5)
      expect('skipped' in result && result.skipped).toMatch(
        /convert_hf_to_gguf\.py and llama-quantize not found/,
      )
    } finally {
      process.env.PATH = saved
    }
    const withTools = trlRunner.quantizeCommands(
      config({
        runner: 'trl',
        python: 'py',
        llama_cpp: { convert_script: '/l/convert_hf_to_gguf.py', quantize: '/l/llama-quantize' },
      }),
      runPaths('/r'),
      5,
    )
    expect(Array.isArray(withTools) && withTools.map((c) => c.argv)).toEqual([
      [
        'py',
        '/l/convert_hf_to_gguf.py',
        '/r/fused',
        '--outfile',
        '/r/quantized-5bit/model-f16.gguf',
        '--outtype',
        'f16',
      ],
      [
        '/l/llama-quantize',
        '/r/quantized-5bit/model-f16.gguf',
        '/r/quantized-5bit/model-Q5_K_M.gguf',
        'Q5_K_M',
      ],
    ])
  })
})

describe('metrics', () => {
  const stop = { divergenceFactor: 3, warmupReports: 2 }

  it('stops on a NaN loss and on a loss that runs away from the best', () => {
    const m = emptyMetrics(100)
    expect(applyEvent(m, { type: 'train', iteration: 10, trainLoss: 1 }, stop)).toBeUndefined()
    expect(applyEvent(m, { type: 'train', iteration: 20, trainLoss: 0.5 }, stop)).toBeUndefined()
    expect(applyEvent(m, { type: 'train', iteration: 30, trainLoss: 1.4 }, stop)).toBeUndefined()
    expect(applyEvent(m, { type: 'train', iteration: 40, trainLoss: 1.6 }, stop)?.kind).toBe('divergence')
    expect(
      applyEvent(emptyMetrics(), { type: 'train', iteration: 1, trainLoss: Number.NaN }, stop)?.kind,
    ).toBe('nan')
  })

  it('picks the checkpoint with the lowest validation loss, not the last', () => {
    const val = [10, 20, 30, 40].map((iteration, i) => ({
      iteration,
      loss: [1.5, 1.2, 1.3, 1.4][i] as number,
    }))
    const checkpoints = withValLoss(
      [5, 20, 40].map((iteration) => ({ iteration, path: `c${iteration}` })),
      val,
    )
    expect(checkpoints.map((c) => c.valLoss)).toEqual([undefined, 1.2, 1.4])
    expect(bestCheckpoint(checkpoints)?.iteration).toBe(20)
  })

  it('estimates the time left from the trainer’s pace', () => {
    const m = emptyMetrics(100)
    applyEvent(m, { type: 'train', iteration: 50, trainLoss: 1, iterationsPerSec: 2 }, stop)
    expect(etaSeconds(m, 1000, 0)).toBe(25)
  })

  it('draws a sparkline no wider than asked', () => {
    const line = sparkline(
      Array.from({ length: 100 }, (_, i) => 100 - i),
      20,
    )
    expect([...line].length).toBeLessThanOrEqual(20)
    expect(line.startsWith('█')).toBe(true)
    expect(line.endsWith('▁')).toBe(true)
  })
})

describe('checks', () => {
  it('refuses a text tool format that is not the model’s template family', () => {
    expect(templateCheck('Qwen/Qwen3-Coder-30B-A3B-Instruct', 'hermes').level).toBe('error')
    expect(templateCheck('Qwen/Qwen3-Coder-30B-A3B-Instruct', 'qwen3-coder').level).toBe('ok')
    expect(templateCheck('mlx-community/Qwen2.5-Coder-7B-Instruct-4bit', 'openai', 'hermes').level).toBe('ok')
    expect(templateCheck('my-own-model', 'hermes').level).toBe('warn')
    expect(templateCheck('my-own-model', 'openai').level).toBe('ok')
  })

  it('warns when the direct-answer share is far from 30%', () => {
    expect(directAnswerCheck(33, 100).level).toBe('ok')
    expect(directAnswerCheck(2, 100).level).toBe('warn')
    expect(directAnswerCheck(80, 100).level).toBe('warn')
  })

  it('reads a safetensors header and rejects garbage and a wrong rank', () => {
    const dir = join(temp.path, 'adapter')
    mkdirSync(dir, { recursive: true })
    const header = Buffer.from('{"__metadata__":{}}')
    const size = Buffer.alloc(8)
    size.writeBigUInt64LE(BigInt(header.length))
    writeFileSync(join(dir, 'adapters.safetensors'), Buffer.concat([size, header]))
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ lora_parameters: { rank: 8 } }))
    expect(safetensorsProblem(join(dir, 'adapters.safetensors'))).toBeUndefined()
    expect(adapterCheck(dir, mlxRunner, 8).level).toBe('ok')
    expect(adapterCheck(dir, mlxRunner, 16).message).toContain('rank 8, the config asked for 16')
    writeFileSync(join(dir, 'adapters.safetensors'), 'not a safetensors file at all')
    expect(adapterCheck(dir, mlxRunner, 8).level).toBe('error')
    expect(adapterCheck(dir, trlRunner, 8).message).toContain('lacks adapter_model.safetensors')
  })

  it('fails a quantization whose score drops more than allowed', () => {
    const score = (s: number) => ({ score: s, passed: Math.round(s * 3), total: 3, results: '' })
    expect(
      quantizationCheck({ bits: 4, maxDrop: 0.05, fusedScore: score(1), quantizedScore: score(0.33) }).level,
    ).toBe('error')
    expect(
      quantizationCheck({ bits: 8, maxDrop: 0.05, fusedScore: score(1), quantizedScore: score(1) }).level,
    ).toBe('ok')
  })

  it('holds out a stable, seeded share of lines', () => {
    const held = Array.from({ length: 1000 }, (_, i) => isHeldOut(i + 1, 7, 0.1)).filter(Boolean).length
    expect(held).toBeGreaterThan(60)
    expect(held).toBeLessThanOrEqual(139)
    expect(isHeldOut(5, 7, 0.1)).toBe(isHeldOut(5, 7, 0.1))
  })
})

describe('the loss chart and serve command', () => {
  it('labels both axes and both series, and marks the best checkpoint', () => {
    const svg = lossChart(
      [
        { iteration: 10, loss: 2 },
        { iteration: 20, loss: 1 },
      ],
      [
        { iteration: 10, loss: 2.2 },
        { iteration: 20, loss: 1.4 },
      ],
      { iteration: 20, valLoss: 1.4 },
    )
    for (const text of [
      'data-series="train loss"',
      'data-series="validation loss"',
      '>iteration<',
      '>loss<',
      'best checkpoint: iteration 20',
    ])
      expect(svg).toContain(text)
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
  })

  it('fills the server command, dropping the adapter flag when there is no adapter', () => {
    const template = [
      'mlx_lm.server',
      '--model',
      '{model}',
      '--adapter-path',
      '{adapter}',
      '--port',
      '{port}',
    ]
    expect(serveArgv(dropDanglingFlags(template, true), { model: 'm', adapter: 'a', port: 9 })).toEqual([
      'mlx_lm.server',
      '--model',
      'm',
      '--adapter-path',
      'a',
      '--port',
      '9',
    ])
    expect(serveArgv(dropDanglingFlags(template, false), { model: 'm', port: 9 })).toEqual([
      'mlx_lm.server',
      '--model',
      'm',
      '--port',
      '9',
    ])
  })
})
