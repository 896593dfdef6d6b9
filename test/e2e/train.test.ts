// `punie train` against fake trainer executables (test/helpers/fake-trainers.ts): real processes, real logs in
// mlx-lm's and the TRL script's formats, real files; only the GPU is missing.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { processAlive } from '../../src/processes.js'
import { parseTrainConfig } from '../../src/training/config.js'
import type { TrainRecord } from '../../src/training/record.js'
import { newRecord, resumePoint, trainRun } from '../../src/training/run.js'
import { FACT_SUITE, writeDataset, writeFakeTrainers } from '../helpers/fake-trainers.js'
import { needs } from '../helpers/needs.js'
import { makeTempDir } from '../helpers/temp.js'

const temp = makeTempDir('punie-train-')
let bin: string
let dataset: string
const argvFile = () => join(temp.path, 'argv.jsonl')
const starts = (): { program: string; argv: string[]; pid: number; helper?: number; config?: string }[] =>
  existsSync(argvFile())
    ? readFileSync(argvFile(), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : []

beforeAll(() => {
  bin = writeFakeTrainers(temp.path)
  dataset = join(temp.path, 'data.jsonl')
  writeDataset(dataset, 60)
})
afterAll(() => temp.remove())
beforeEach(() => {
  writeFileSync(argvFile(), '')
  process.env.FAKE_ARGV_FILE = argvFile()
  delete process.env.FAKE_TRAIN_MODE
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

let runs = 0
function start(runner: 'mlx' | 'trl', extra: Record<string, unknown> = {}): TrainRecord {
  const config = parseTrainConfig(
    {
      runner,
      base_model: 'mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit',
      dataset,
      format: 'openai',
      rank: 16,
      alpha: 32,
      iters: 60,
      steps_per_report: 10,
      steps_per_eval: 10,
      save_every: 10,
      validation_split: 0.2,
      ...(runner === 'mlx'
        ? { trainer_command: [join(bin, 'mlx_lm.lora')] }
        : { python: join(bin, 'fake-python') }),
      ...extra,
    },
    temp.path,
  )
  const id = `run-${++runs}`
  return newRecord(id, config, join(temp.path, 'runs', id))
}

const save = () => undefined

describe('punie train with mlx-lm (fake mlx_lm.lora)', () => {
  it('trains, reads every log line, and picks the checkpoint with the lowest validation loss', async () => {
    const record = await trainRun({ record: start('mlx'), save })
    expect(record.status).toBe('done')
    expect(record.metrics.train.map((p) => p.iteration)).toEqual([10, 20, 30, 40, 50, 60])
    expect(record.metrics.tokensPerSec).toBeCloseTo(812.345)
    expect(record.checkpoints.map((c) => c.iteration)).toEqual([10, 20, 30, 40, 50, 60])
    // The fake's validation loss bottoms out at iteration 40, then rises.
    expect(record.bestCheckpoint).toMatchObject({ iteration: 40, valLoss: 0.8 })
    expect(record.adapterPath).toBe(join(record.root, 'best-adapter'))
    expect(record.checks.find((c) => c.name === 'adapter files')?.level).toBe('ok')
    const [trainer] = starts()
    expect(trainer?.argv).toEqual(['--config', join(record.root, 'lora_config.yaml')])
    // The rank reaches mlx-lm: through the YAML config, since it has no --rank flag.
    expect(trainer?.config).toMatch(/lora_parameters:\n {2}rank: 16\n {2}scale: 2\n {2}dropout: 0.05/)
    const trainLines = readFileSync(join(record.root, 'data', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
    const validLines = readFileSync(join(record.root, 'data', 'valid.jsonl'), 'utf8')
      .trim()
      .split('\n')
    expect(trainLines.length + validLines.length).toBe(60)
    expect(validLines.length).toBeGreaterThan(0)
  })

  it('stops on a NaN loss and kills the trainer’s whole process group', async () => {
    process.env.FAKE_TRAIN_MODE = 'nan'
    const record = await trainRun({ record: start('mlx'), save, killGraceMs: 500 })
    expect(record.status).toBe('stopped')
    expect(record.failure?.kind).toBe('nan')
    const [trainer] = starts()
    expect(processAlive(trainer?.pid as number)).toBe(false)
    expect(processAlive(trainer?.helper as number)).toBe(false)
    expect(record.checkpoints.map((c) => c.iteration)).toEqual([10, 20])
  })

  it('reports an out-of-memory crash as such, with a hint', async () => {
    process.env.FAKE_TRAIN_MODE = 'oom'
    const record = await trainRun({ record: start('mlx'), save })
    expect(record.status).toBe('failed')
    expect(record.failure).toMatchObject({ kind: 'oom' })
    expect(record.failure?.kind === 'oom' && record.failure.hint).toMatch(/batch_size/)
  })

  it('resumes a killed run from its last checkpoint and finishes the iterations left', async () => {
    process.env.FAKE_TRAIN_MODE = 'die-at'
    process.env.FAKE_DIE_AT = '30'
    const killed = await trainRun({ record: start('mlx'), save })
    expect(killed.status).toBe('failed')
    expect(killed.failure?.message).toMatch(/SIGKILL/)
    const point = resumePoint(killed)
    expect(point?.checkpoint.iteration).toBe(30)
    delete process.env.FAKE_TRAIN_MODE
    writeFileSync(argvFile(), '')
    const resumed = await trainRun({ record: killed, save, ...(point ? { resume: point } : {}) })
    expect(resumed.status).toBe('done')
    expect(resumed.resumes).toBe(1)
    const [trainer] = starts()
    expect(trainer?.config).toContain(
      `resume_adapter_file: ${join(killed.root, 'adapters', '0000030_adapters.safetensors')}`,
    )
    expect(trainer?.config).toMatch(/\niters: 30\n/)
    expect(resumed.metrics.iteration).toBe(60)
    expect(resumed.metrics.train.map((p) => p.iteration)).toEqual([10, 20, 30, 40, 50, 60])
    expect(resumed.checkpoints.map((c) => c.iteration)).toEqual([10, 20, 30, 40, 50, 60])
    expect(resumed.bestCheckpoint?.iteration).toBe(40)
  })

  it('stops the trainer when interrupted and keeps what it saved, to resume from', async () => {
    process.env.FAKE_STEP_MS = '20'
    const controller = new AbortController()
    try {
      const record = await trainRun({
        record: start('mlx'),
        save,
        signal: controller.signal,
        killGraceMs: 500,
        onEvent: (_, event) => {
          if (event.type === 'train' && event.iteration >= 20) controller.abort()
        },
      })
      expect(record.status).toBe('interrupted')
      const [trainer] = starts()
      expect(processAlive(trainer?.pid as number)).toBe(false)
      expect(resumePoint(record)?.checkpoint.iteration).toBeGreaterThanOrEqual(10)
    } finally {
      delete process.env.FAKE_STEP_MS
    }
  })

  it('stops before training when the checks fail, naming a missing dataset format', async () => {
    const record = await trainRun({ record: start('mlx', { format: 'chatml-v9' }), save })
    expect(record.status).toBe('failed')
    expect(record.failure?.message).toMatch(/dataset format "chatml-v9" is not available/)
    expect(starts()).toEqual([])
  })
})

describe('punie train with TRL/PEFT (fake Python)', () => {
  it('trains through the shipped script and keeps the best PEFT checkpoint folder', async () => {
    const record = await trainRun({ record: start('trl'), save })
    expect(record.status).toBe('done')
    expect(record.bestCheckpoint?.iteration).toBe(40)
    expect(record.adapterPath).toBe(join(record.root, 'adapters', 'checkpoint-40'))
    const [trainer] = starts()
    expect(trainer?.argv.slice(0, 3)).toEqual([
      join(process.cwd(), 'python', 'punie_train_trl.py'),
      'train',
      '--config',
    ])
    expect(JSON.parse(trainer?.config as string)).toMatchObject({ rank: 16, alpha: 32, iters: 60 })
  })

  it('names the pip packages the user’s Python lacks', async () => {
    process.env.FAKE_TRAIN_MODE = 'missing'
    const record = await trainRun({ record: start('trl'), save })
    expect(record.failure).toMatchObject({ kind: 'missing-packages', packages: ['trl', 'peft'] })
    expect(record.failure?.message).toContain('pip install trl peft')
  })

  needs('python3').it(
    'runs the shipped script with a real Python, which names the packages it lacks',
    async (ctx) => {
      if (spawnSync('python3', ['-c', 'import torch, trl, peft']).status === 0)
        return ctx.skip('this Python has torch, trl and peft: scripts/gpu-smoke.sh trains for real')
      const record = await trainRun({ record: start('trl', { python: 'python3' }), save })
      expect(record.failure?.kind).toBe('missing-packages')
      expect(record.failure?.message).toMatch(/pip install .*trl/)
    },
  )

  it('reports a CUDA out-of-memory crash', async () => {
    process.env.FAKE_TRAIN_MODE = 'oom'
    const record = await trainRun({ record: start('trl'), save })
    expect(record.failure?.kind).toBe('oom')
  })
})

function punie(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'punie.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the workflow through the punie binary', () => {
  it('checks, trains, shows the loss chart, fuses, and fails a 4-bit quantization that loses quality', async () => {
    const home = join(temp.path, 'home')
    const configFile = join(temp.path, 'train.yaml')
    writeFileSync(join(temp.path, 'smoke.yaml'), FACT_SUITE)
    writeFileSync(
      configFile,
      [
        'runner: mlx',
        'base_model: mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit',
        'dataset: data.jsonl',
        'format: mlx',
        'rank: 16',
        'alpha: 32',
        'iters: 60',
        'steps_per_report: 10',
        'steps_per_eval: 10',
        'save_every: 10',
        'validation_split: 0.2',
        'eval_suite: smoke.yaml',
        'serve:',
        '  command: [fake-chat-server, --model, "{model}", --adapter-path, "{adapter}", --port, "{port}"]',
        '',
      ].join('\n'),
    )
    const env = { PUNIE_HOME: home, PATH: `${bin}${delimiter}${process.env.PATH}` }

    const check = await punie(['train', 'check', '--config', configFile], env)
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/ok {3}direct answers: 33\.3% direct answers/)

    const run = await punie(['train', 'run', '--config', configFile, '--json'], env)
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout)
    expect(summary).toMatchObject({
      status: 'done',
      bestCheckpoint: { iteration: 40 },
      metrics: { smokeScore: 1 },
    })
    expect(run.stderr).toMatch(/iter 60\/60 · train 0\.\d{3} · val \d\.\d{3} · lr 1\.0e-5 · 812 tok\/s/)
    expect(run.stderr).toContain('best checkpoint: iteration 40, validation loss 0.800')
    const trainers = starts().filter((s) => s.program === 'mlx_lm.lora')
    expect(trainers).toHaveLength(1)

    const show = await punie(['train', 'show', 'latest', '--html'], env)
    expect(show.code).toBe(0)
    const html = readFileSync(join(home, 'train', summary.runId, 'report.html'), 'utf8')
    expect(html).toContain('data-series="train loss"')
    expect(html).toContain('data-series="validation loss"')
    expect(html).toContain('best checkpoint: iteration 40')

    const fuse = await punie(['train', 'fuse', summary.runId, '--dequantize'], env)
    expect(fuse.code).toBe(0)
    const fuser = starts().find((s) => s.program === 'mlx_lm.fuse')
    expect(fuser?.argv).toContain('--dequantize')

    const q4 = await punie(['train', 'quantize', summary.runId, '--bits', '4'], env)
    expect(q4.code).toBe(1)
    expect(q4.stderr).toMatch(/warn quantization: 4-bit quantization/)
    expect(q4.stderr).toMatch(
      /FAIL quantization quality: 4-bit scores 0\.\d\d \(0\/3\) against 1\.00 \(3\/3\) unquantized/,
    )
    const converter = starts().find((s) => s.program === 'mlx_lm.convert')
    expect(converter?.argv).toEqual(
      expect.arrayContaining(['-q', '--q-bits', '4', '--hf-path', '--mlx-path']),
    )

    const q8 = await punie(['train', 'quantize', summary.runId, '--bits', '8'], env)
    expect(q8.code).toBe(0)
    expect(q8.stderr).toMatch(/ok {3}quantization quality: 8-bit scores 1\.00 \(3\/3\)/)

    const list = await punie(['train', 'list'], env)
    expect(list.stdout).toContain(`${summary.runId}`)
    expect(list.stdout).toContain('best 40 val 0.800')
  }, 120_000)

  it('runs docs/training.md’s workflow: validate, train, serve base and adapter, eval both, compare', async () => {
    const home = join(temp.path, 'home-workflow')
    const configFile = join(temp.path, 'workflow.yaml')
    writeFileSync(join(temp.path, 'smoke.yaml'), FACT_SUITE)
    const base = 'mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit'
    writeFileSync(
      configFile,
      [`runner: mlx`, `base_model: ${base}`, 'dataset: data.jsonl', 'format: mlx', 'iters: 20', ''].join(
        '\n',
      ),
    )
    const env = { PUNIE_HOME: home, PATH: `${bin}${delimiter}${process.env.PATH}` }
    try {
      const valid = await punie(
        ['dataset', 'validate', dataset, '--tools-from', 'punie', '--max-tokens', '8192'],
        env,
      )
      expect(valid.code).toBe(0)
      const trained = await punie(['train', 'run', '--config', configFile], env)
      expect(trained.code).toBe(0)
      const adapter = /adapter: (\S+)/.exec(trained.stdout + trained.stderr)?.[1] as string
      expect(existsSync(adapter)).toBe(true)
      const shown = JSON.parse((await punie(['train', 'show', 'latest', '--json'], env)).stdout)
      expect(shown.adapterPath).toBe(adapter)

      const [basePort, tunedPort] = [await freePort(), await freePort()]
      const serve = (name: string, port: number, extra: string[]) =>
        punie(
          [
            'server',
            'start',
            'mlx',
            '--binary',
            'fake-chat-server',
            '--model',
            base,
            '--name',
            name,
            '--port',
            String(port),
            ...extra,
          ],
          env,
        )
      expect((await serve('base', basePort, [])).code).toBe(0)
      const tuned = await serve('tuned', tunedPort, ['--adapter', adapter])
      expect(tuned.code).toBe(0)
      expect(
        starts().find((s) => s.program === 'fake-chat-server' && s.argv.includes('--adapter-path'))?.argv,
      ).toEqual(expect.arrayContaining(['--adapter-path', adapter]))

      const smoke = join(temp.path, 'smoke.yaml')
      const baseRun = await punie(['eval', 'run', smoke, '--server', 'base'], env)
      const tunedRun = await punie(['eval', 'run', smoke, '--server', 'tuned'], env)
      expect(baseRun.stdout).toContain('pass@1 0.0%')
      expect(tunedRun.stdout).toContain('pass@1 100.0%')
      const id = (r: { stdout: string }) => /^run (\S+)/m.exec(r.stdout)?.[1] as string
      const compared = await punie(['eval', 'compare', id(baseRun), id(tunedRun)], env)
      expect(compared.code).toBe(0)
      expect(compared.stdout).toMatch(/overall\s+0\.0% .*\s+100\.0% /)
    } finally {
      await punie(['server', 'stop', '--all', '--grace', '0'], env)
    }
  }, 120_000)

  it('exits 2 for a bad config and for an unknown run', async () => {
    const bad = join(temp.path, 'bad.yaml')
    writeFileSync(bad, 'runner: mlx\nrank: -3\n')
    const env = { PUNIE_HOME: join(temp.path, 'home2') }
    const result = await punie(['train', 'run', '--config', bad], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/punie train: .*bad\.yaml: base_model/)
    const unknown = await punie(['train', 'show', 'nope'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no training run nope')
  })
})
