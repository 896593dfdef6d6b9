// `punie tune` through the binary against a scripted model whose answers depend on the request's temperature
// and top_p (and, for trained points, on the adapter the fake server loaded): the table's figures per point,
// pass^k below pass@1 where the script is flaky, the best point and the Pareto front in the table and the chart,
// an interrupted search resumed without redoing its points, and the training axis with a fake `punie train`.
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type PointOutcome, paretoFront } from '../../src/training/tune-figures.js'
import { BIN, REPO_ROOT } from '../helpers/acp-harness.js'
import { type RecordedRequest, ScriptedModelServer, type StaticReply } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

/** Three cases, each with the fact its answer must hold. */
const CASES = [
  { id: 'sum', prompt: 'What is 2 + 2?', fact: '4', right: '2 + 2 = 4', wrong: 'It is five.' },
  { id: 'capital', prompt: 'Name the capital of France.', fact: 'Paris', right: 'Paris.', wrong: 'Lyon.' },
  { id: 'sky', prompt: 'What colour is a clear daytime sky?', fact: 'blue', right: 'Blue.', wrong: 'Green.' },
] as const

const SUITE = `suite: facts
tool_mode: direct
pass_threshold: 0.75
timeout_s: 30
cases:
${CASES.map((c) => `  - id: ${c.id}\n    category: facts\n    prompt: "${c.prompt}"\n    expect:\n      answer_contains: ["${c.fact}"]`).join('\n')}
`

/** Per (temperature, top_p): each case right (R), wrong (W) or flaky (F: right on odd attempts only). */
const PLAN: Record<string, readonly ('R' | 'W' | 'F')[]> = {
  '0/0.5': ['R', 'R', 'W'],
  '0/1': ['R', 'R', 'R'],
  '0.7/0.5': ['R', 'W', 'W'],
  '0.7/1': ['R', 'F', 'W'],
  '1.2/0.5': ['W', 'W', 'W'],
  '1.2/1': ['F', 'F', 'F'],
}

const firstUser = (r: RecordedRequest) => r.body.messages.find((m) => m.role === 'user')?.content ?? ''
const isFirstRequest = (r: RecordedRequest) => !r.body.messages.some((m) => m.role === 'assistant')

/** Answers by the plan; flakiness counts attempts per point and case, so it is the same on every run. */
function plannedModel(extra: Partial<StaticReply> = {}) {
  const attempts = new Map<string, number>()
  return (request: RecordedRequest): StaticReply => {
    const index = CASES.findIndex((c) => c.prompt === firstUser(request))
    const c = CASES[index]
    if (!c) return { text: 'unknown case' }
    const point = `${request.body.temperature}/${request.body.top_p}`
    const key = `${point}/${c.id}`
    if (isFirstRequest(request)) attempts.set(key, (attempts.get(key) ?? 0) + 1)
    const how = PLAN[point]?.[index] ?? 'W'
    const right = how === 'R' || (how === 'F' && (attempts.get(key) ?? 1) % 2 === 1)
    return { text: right ? c.right : c.wrong, ...extra } as StaticReply
  }
}

let home: { path: string; remove: () => void }
let model: ScriptedModelServer
let suite: string

beforeEach(async () => {
  home = makeTempDir('punie-tune-')
  model = await ScriptedModelServer.start()
  suite = join(home.path, 'facts.yaml')
  writeFileSync(suite, SUITE)
})
afterEach(async () => {
  await model.close()
  home.remove()
})

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function punie(args: string[], onStderr?: (text: string, kill: () => void) => void) {
  return new Promise<Ran>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, PUNIE_HOME: home.path, FAKE_UPSTREAM: model.baseURL },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      onStderr?.(stderr, () => child.kill('SIGINT'))
    })
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const row = (stdout: string, index: number) =>
  stdout.split('\n').find((l) => new RegExp(`^\\s*${index}\\s`).test(l)) ?? ''

interface Results {
  tune: { id: string }
  points: PointOutcome[]
}
const resultsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results

describe('punie tune', () => {
  it('scores a 3×2 grid of temperature × top_p: the table, the best point, the Pareto front and the chart', async () => {
    model.always(plannedModel())
    const out = join(home.path, 'search')
    const ran = await punie([
      'tune',
      '--suite',
      suite,
      '--model',
      model.spec,
      '--temperature',
      '0,0.7,1.2',
      '--top-p',
      '0.5,1',
      '--max-tokens',
      '512',
      '--repeat',
      '2',
      '--out',
      out,
    ])
    expect(ran.stderr).toContain('6 points × 3 cases × 2')
    expect(ran.code).toBe(0)

    // Every request carried its point's sampling settings; each of the six pairs was asked.
    const sent = model.chatRequests().map((r) => `${r.body.temperature}/${r.body.top_p}/${r.body.max_tokens}`)
    expect(new Set(sent)).toEqual(new Set(Object.keys(PLAN).map((p) => `${p}/512`)))

    // Progress: one line per point without a terminal, in grid order.
    const progress = ran.stderr.split('\n').filter((l) => /^\[\d\/6\]/.test(l))
    expect(progress.map((l) => l.slice(0, 5))).toEqual(['[1/6]', '[2/6]', '[3/6]', '[4/6]', '[5/6]', '[6/6]'])

    const header = ran.stdout.split('\n')[0] ?? ''
    expect(header).toMatch(
      /#\s+temperature\s+top_p\s+max_tokens\s+pass@1\s+pass\^2\s+score \[95% CI\]\s+median\/case\s+out tok\/s/,
    )
    const expected: [number, string, string, string, string, string][] = [
      [1, '0', '0.5', '66.7%', '66.7%', '0.667'],
      [2, '0', '1', '100.0%', '100.0%', '1.000'],
      [3, '0.7', '0.5', '33.3%', '33.3%', '0.333'],
      [4, '0.7', '1', '50.0%', '33.3%', '0.500'],
      [5, '1.2', '0.5', '0.0%', '0.0%', '0.000'],
      [6, '1.2', '1', '50.0%', '0.0%', '0.500'],
    ]
    for (const [index, t, p, pass1, passK, score] of expected) {
      expect(row(ran.stdout, index)).toMatch(
        new RegExp(
          `^\\s*${index}\\s+${t}\\s+${p}\\s+512\\s+${pass1.replace('.', '\\.')}\\s+${passK.replace('.', '\\.')}\\s+${score.replace('.', '\\.')} \\[`,
        ),
      )
    }
    // Flaky points: pass^k below pass@1.
    expect(row(ran.stdout, 6)).toMatch(/50\.0%\s+0\.0%/)
    // The single best is #2; it is on the Pareto front too (nothing scores higher).
    expect(row(ran.stdout, 2)).toContain('★ best ◆ pareto')
    expect(ran.stdout.split('\n').filter((l) => l.includes('★ best'))).toHaveLength(1)
    expect(ran.stdout).toMatch(/^best: #2 temperature=0 top_p=1 max_tokens=512 · score 1\.000/m)

    // The front the table marks is the one the stored figures give.
    const results = resultsOf(out)
    expect(results.points).toHaveLength(6)
    const front = paretoFront(results.points)
    expect(front.has(2)).toBe(true)
    for (const p of results.points)
      expect(row(ran.stdout, p.index).includes('◆ pareto')).toBe(front.has(p.index))
    // Each point is an eval run of its own, readable with punie eval.
    const report = await punie(['eval', 'report', `tune-${results.tune.id}-p04`, '--json'])
    const evalRun = JSON.parse(report.stdout) as {
      run: { config: { temperature: number; topP: number } }
      results: unknown[]
    }
    expect(evalRun.run.config).toMatchObject({ temperature: 0.7, topP: 1, maxTokens: 512, repeat: 2 })
    expect(evalRun.results).toHaveLength(6)

    // The chart: every point labelled with its parameters, the Pareto points marked, the best ringed, axes named.
    const html = readFileSync(join(out, 'results.html'), 'utf8')
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|(src|href)=["']?https?:/)
    const marks = [...html.matchAll(/<g class="([^"]+)" data-point="(\d+)" data-key="([^"]+)">/g)]
    expect(marks.map((m) => Number(m[2])).sort()).toEqual([1, 2, 3, 4, 5, 6])
    for (const [, classes, index, key] of marks) {
      const p = results.points.find((x) => x.index === Number(index)) as PointOutcome
      expect(key).toBe(p.key)
      expect(html).toContain(`>#${index} ${p.key}</text>`)
      expect((classes as string).split(' ').includes('pareto')).toBe(front.has(Number(index)))
      expect((classes as string).split(' ').includes('best')).toBe(Number(index) === 2)
    }
    expect(html).toContain('latency: median time per case (s)')
    expect(html).toContain('quality: mean score (95% Wilson interval)')
    expect(html).toContain('Pareto front')
  })

  it('keeps what is scored when interrupted, and --resume skips the points already done', {
    timeout: 60_000,
  }, async () => {
    // Slow answers, so that the interrupt lands while a later point is being scored.
    model.always(plannedModel({ delayMs: 40 }))
    const out = join(home.path, 'search')
    const args = [
      'tune',
      '--suite',
      suite,
      '--model',
      model.spec,
      '--temperature',
      '0,0.7,1.2',
      '--top-p',
      '0.5',
    ]
    let sent = false
    const first = await punie([...args, '--repeat', '2', '--out', out], (stderr, kill) => {
      if (!sent && /^\[1\/3\] .*pass@1/m.test(stderr)) {
        sent = true
        kill()
      }
    })
    expect(first.code).toBe(130)
    expect(first.stdout).toContain(`resume with: punie tune --resume ${out}`)
    const kept = readFileSync(join(out, 'points.jsonl'), 'utf8').trim().split('\n').length
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(kept).toBeLessThanOrEqual(2)

    const before = model.chatRequests().length
    const resumed = await punie(['tune', '--resume', out])
    expect(resumed.code).toBe(0)
    expect(resumed.stderr).toContain('[1/3] temperature=0 top_p=0.5: scored before, skipped')
    const during = model.chatRequests().slice(before)
    // The first point was not asked again; the rest were, at most once per attempt.
    expect(during.filter((r) => r.body.temperature === 0)).toHaveLength(0)
    expect(during.length).toBeLessThanOrEqual((3 - kept) * 6)
    expect(row(resumed.stdout, 1)).toMatch(/66\.7%\s+66\.7%\s+0\.667/)
    expect(row(resumed.stdout, 2)).toMatch(/33\.3%\s+33\.3%\s+0\.333/)
    expect(row(resumed.stdout, 3)).toMatch(/0\.0%\s+0\.0%\s+0\.000/)
    expect(resultsOf(out).points).toHaveLength(3)
  })

  it('trains each hyperparameter combination with `punie train`, serves its adapter and scores it', {
    timeout: 60_000,
  }, async () => {
    const bin = join(home.path, 'bin')
    mkdirSync(bin)
    const trainLog = join(home.path, 'train-argv.jsonl')
    const trainCommand = join(bin, 'fake-punie-train')
    writeFileSync(trainCommand, fakeTrain(trainLog))
    chmodSync(trainCommand, 0o755)
    const server = join(bin, 'fake-mlx-server')
    writeFileSync(server, FAKE_SERVER)
    chmodSync(server, 0o755)
    writeFileSync(join(home.path, 'data.jsonl'), '')
    writeFileSync(
      join(home.path, 'train.yaml'),
      'runner: mlx\nbase_model: base-model\ndataset: data.jsonl\nlearning_rate: 0.00001\nrank: 8\n',
    )
    writeFileSync(
      join(home.path, 'grid.yaml'),
      [
        'suites: [facts.yaml]',
        'repeat: 1',
        'inference: { temperature: [0] }',
        'train:',
        '  config: train.yaml',
        '  grid: { rank: [4, 16], learning_rate: [0.0001] }',
        `  serve: { kind: mlx, model: base-model, binary: ${server}, timeout_s: 20 }`,
        '',
      ].join('\n'),
    )
    // The adapter decides: rank 16 knows every case, rank 4 only the first.
    model.always((request) => {
      const index = CASES.findIndex((c) => c.prompt === firstUser(request))
      const c = CASES[index]
      if (!c) return { text: 'unknown case' }
      const rank = Number(request.body.adapter_rank)
      return { text: rank === 16 || index === 0 ? c.right : c.wrong }
    })
    const out = join(home.path, 'search')
    const ran = await punie([
      'tune',
      join(home.path, 'grid.yaml'),
      '--train-command',
      trainCommand,
      '--out',
      out,
    ])
    expect(ran.stderr).toContain('[1/2] training rank=4 learning_rate=0.0001')
    expect(ran.code).toBe(0)

    // `punie train run --config FILE --json`, with the base config and the point's hyperparameters in it.
    const calls = readFileSync(trainLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[]; config: string })
    expect(calls).toHaveLength(2)
    for (const [i, call] of calls.entries()) {
      expect(call.argv.slice(0, 3)).toEqual(['train', 'run', '--config'])
      expect(call.argv.at(-1)).toBe('--json')
      expect(call.config).toContain(`rank: ${[4, 16][i]}`)
      expect(call.config).toContain('learning_rate: 0.0001')
      expect(call.config).toContain(`dataset: ${join(home.path, 'data.jsonl')}`)
      expect(call.config).toContain('base_model: base-model')
    }
    expect(ran.stdout.split('\n')[0]).toMatch(/#\s+rank\s+learning_rate\s+temperature\s+pass@1/)
    expect(row(ran.stdout, 1)).toMatch(/^\s*1\s+4\s+0\.0001\s+0\s+33\.3%\s+33\.3%\s+0\.333/)
    expect(row(ran.stdout, 2)).toMatch(/^\s*2\s+16\s+0\.0001\s+0\s+100\.0%\s+100\.0%\s+1\.000.*★ best/)
    // Each adapter was served with --adapter-path and stopped afterwards.
    const served = model.chatRequests().map((r) => r.body.adapter_path)
    expect(new Set(served).size).toBe(2)
    const servers = await punie(['server', 'list', '--json'])
    expect(JSON.parse(servers.stdout)).toEqual([])

    // A resumed search trains nothing again.
    const again = await punie(['tune', '--resume', out, '--train-command', trainCommand])
    expect(again.code).toBe(0)
    expect(readFileSync(trainLog, 'utf8').trim().split('\n')).toHaveLength(2)
  })

  it('reports a combination whose training fails with the end of its log, and scores the others', {
    timeout: 60_000,
  }, async () => {
    const bin = join(home.path, 'bin')
    mkdirSync(bin)
    const trainCommand = join(bin, 'fake-punie-train')
    writeFileSync(trainCommand, fakeTrain(join(home.path, 'train-argv.jsonl')))
    chmodSync(trainCommand, 0o755)
    const server = join(bin, 'fake-mlx-server')
    writeFileSync(server, FAKE_SERVER)
    chmodSync(server, 0o755)
    writeFileSync(join(home.path, 'train.yaml'), 'runner: mlx\nbase_model: base-model\ndataset: data.jsonl\n')
    const grid = join(home.path, 'grid.yaml')
    writeFileSync(
      grid,
      `suites: [facts.yaml]\nrepeat: 1\ntrain:\n  config: train.yaml\n  grid: { rank: [99, 16] }\n  serve: { kind: mlx, model: base-model, binary: ${server} }\n`,
    )
    model.always((request) => ({ text: Number(request.body.adapter_rank) === 16 ? '4 Paris blue' : '?' }))
    const out = join(home.path, 'search')
    const ran = await punie(['tune', grid, '--train-command', trainCommand, '--out', out])
    expect(ran.code).toBe(1)
    expect(ran.stderr).toMatch(/^\[1\/2\] rank=99: FAILED .*exited with code 1/m)
    expect(ran.stderr).toContain('torch.OutOfMemoryError: CUDA out of memory')
    expect(row(ran.stdout, 2)).toMatch(/^\s*2\s+16\s+100\.0%/)
    expect(row(ran.stdout, 1)).toBe('')
    // Resuming retries only the failed combination.
    const again = await punie(['tune', '--resume', out, '--train-command', trainCommand])
    expect(again.stderr).toContain('[2/2] rank=16: scored before, skipped')
    expect(again.code).toBe(1)
  })

  it('fails a bad grid with one clear line and exit code 2', async () => {
    const help = await punie(['tune', '--help'])
    expect(help.stdout).toContain('--top-p <list>')
    expect(help.stdout).toContain('Pareto front')
    const ran = await punie(['tune', '--suite', suite, '--top-p', '0,1'])
    expect(ran.code).toBe(2)
    expect(ran.stderr).toMatch(/^punie tune: .*inference\.top_p/m)
    const none = await punie(['tune', '--temperature', '0'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('name the suites to score with')
    const mixed = await punie(['tune', '--resume', home.path, '--top-p', '0.9'])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toContain('--resume takes the grid from its folder: give no --top-p with it')
    const notThere = await punie(['tune', '--resume', join(home.path, 'nothing')])
    expect(notThere.code).toBe(1)
    expect(notThere.stderr).toMatch(/^punie tune: .*nothing is not a grid search folder/m)
  })
})

/** A stand-in for `punie train run --config FILE --json`: logs like mlx-lm, prints the run record. */
function fakeTrain(argvLog: string): string {
  return `#!/usr/bin/env node
const { appendFileSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs')
const { dirname, join } = require('node:path')
const argv = process.argv.slice(2)
const config = readFileSync(argv[argv.indexOf('--config') + 1], 'utf8')
appendFileSync(${JSON.stringify(argvLog)}, JSON.stringify({ argv, config }) + '\\n')
const rank = Number(/^rank: (\\d+)/m.exec(config)[1])
if (rank === 99) {
  console.error('Loading pretrained model')
  console.error('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB')
  process.exit(1)
}
for (let i = 10; i <= 30; i += 10)
  console.error('Iter ' + i + ': Train loss ' + (2 / i).toFixed(3) + ', Learning Rate 1.000e-04, It/sec 2.1, Tokens/sec 812.4')
const adapter = join(dirname(argv[argv.indexOf('--config') + 1]), 'adapter')
mkdirSync(adapter, { recursive: true })
writeFileSync(join(adapter, 'adapter_config.json'), JSON.stringify({ lora_parameters: { rank } }))
console.log(JSON.stringify({ runId: 'train-r' + rank, status: 'done', bestCheckpoint: { iteration: 30, valLoss: 0.41 }, adapterPath: adapter, metrics: { finalTrainLoss: 0.067 } }))
`
}

/** A stand-in for mlx_lm.server: serves /v1/models and passes chat requests on to the scripted model, naming the adapter it loaded. */
const FAKE_SERVER = `#!/usr/bin/env node
const { readFileSync } = require('node:fs')
const { createServer, request } = require('node:http')
const { join } = require('node:path')
const arg = (name) => process.argv[process.argv.indexOf(name) + 1]
const adapter = arg('--adapter-path')
const rank = JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8')).lora_parameters.rank
const upstream = new URL(process.env.FAKE_UPSTREAM)
createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/v1/models') {
    res.setHeader('content-type', 'application/json')
    return res.end(JSON.stringify({ object: 'list', data: [{ id: arg('--model') }] }))
  }
  const parts = []
  req.on('data', (d) => parts.push(d))
  req.on('end', () => {
    const body = JSON.stringify({ ...JSON.parse(Buffer.concat(parts).toString() || '{}'), adapter_rank: rank, adapter_path: adapter })
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: '/v1' + req.url.replace(/^\\/v1/, ''), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (up) => {
      res.writeHead(up.statusCode, up.headers)
      up.pipe(res)
    })
    forward.end(body)
  })
}).listen(Number(arg('--port')), arg('--host'))
`
