import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTO_JOBS_CAP } from '../../src/model/concurrency.js'
import { runPunie } from '../helpers/run-punie.js'
import { type RecordedRequest, ScriptedModelServer, type StaticReply } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const SUITE = `suite: sums
tool_mode: direct
pass_threshold: 0.75
timeout_s: 30
cases:
${[1, 2, 3, 4, 5, 6].map((n) => `  - id: s${n}\n    category: sums\n    prompt: "What is ${n} + ${n}?"\n    expect:\n      answer_contains: ["${2 * n}"]`).join('\n')}
`

const DELAY_MS = 250

let home: { path: string; remove: () => void }
let model: ScriptedModelServer
let suite: string
let inFlight = 0
let peak = 0

/** Answers each sum right after a delay, counting the requests it holds at once. */
function summing(request: RecordedRequest): StaticReply {
  const content = request.body.messages.find((m) => m.role === 'user')?.content ?? ''
  const n = Number(/What is (\d+)/.exec(String(content))?.[1] ?? 0)
  inFlight++
  peak = Math.max(peak, inFlight)
  // Scheduled before the server's own delay timer, so it fires first: the count never includes a finished request.
  setTimeout(() => inFlight--, DELAY_MS)
  return { text: `It is ${2 * n}.`, delayMs: DELAY_MS }
}

beforeEach(async () => {
  home = makeTempDir('punie-jobs-')
  model = await ScriptedModelServer.start()
  model.always(summing)
  suite = join(home.path, 'sums.yaml')
  writeFileSync(suite, SUITE)
  inFlight = 0
  peak = 0
})
afterEach(async () => {
  await model.close()
  home.remove()
})

const punie = (args: string[]) => runPunie(args, { home: home.path })

const concurrencyOf = (stdout: string) => {
  const id = /^run (\S+)/m.exec(stdout)?.[1] as string
  return (
    JSON.parse(readFileSync(join(home.path, 'eval', `${id}.json`), 'utf8')) as {
      run: { config: { concurrency: number } }
    }
  ).run.config.concurrency
}

describe('eval concurrency from the server', () => {
  it('runs as many cases at once as llama.cpp /props reports slots, and says so', async () => {
    model.slots = 3
    const ran = await punie(['eval', 'run', suite, '--model', model.spec])
    expect(ran.code).toBe(0)
    expect(ran.stderr).toContain('3 cases at once (llama.cpp /props reports 3 slots; -j N to change)')
    expect(concurrencyOf(ran.stdout)).toBe(3)
    expect(ran.stdout).toContain('pass@1 100.0%')
    expect(peak).toBeLessThanOrEqual(3)
    expect(peak).toBeGreaterThan(1)
  })

  it('caps a server with many slots, and -j given wins', async () => {
    model.slots = 64
    const capped = await punie(['eval', 'run', suite, '--model', model.spec])
    expect(capped.stderr).toContain(
      `${AUTO_JOBS_CAP} cases at once (llama.cpp /props reports 64 slots, capped at ${AUTO_JOBS_CAP}; -j N to change)`,
    )
    expect(concurrencyOf(capped.stdout)).toBe(AUTO_JOBS_CAP)
    peak = 0
    const given = await punie(['eval', 'run', suite, '--model', model.spec, '-j', '2'])
    expect(given.stderr).toContain('2 cases at once (-j)')
    expect(concurrencyOf(given.stdout)).toBe(2)
    expect(peak).toBeLessThanOrEqual(2)
  })

  it('runs one at a time on a server that does not say', { timeout: 60_000 }, async () => {
    const unknown = await punie(['eval', 'run', suite, '--model', model.spec])
    expect(unknown.stderr).toMatch(/^1 case at once \(the server does not say/m)
    expect(concurrencyOf(unknown.stdout)).toBe(1)
    expect(peak).toBe(1)
  })

  it('takes the slots a managed server was started with over what it reports', async () => {
    mkdirSync(join(home.path, 'servers'))
    const record = {
      name: 'big-llama',
      kind: 'llamacpp',
      pid: process.pid,
      baseURL: model.baseURL,
      healthUrl: `${model.baseURL}/models`,
      command: 'llama-server',
      args: ['-m', 'q.gguf', '--parallel', '4'],
      logFile: join(home.path, 'servers', 'big-llama.log'),
      slots: 4,
      startedAt: Date.now(),
    }
    writeFileSync(join(home.path, 'servers', 'big-llama.json'), JSON.stringify(record))
    // The configured count wins over the server's report (which may lag a restart with other flags).
    model.slots = 2
    const managed = await punie(['eval', 'run', suite, '--server', 'big-llama'])
    expect(managed.code).toBe(0)
    expect(managed.stderr).toContain('4 cases at once (server big-llama was started with 4 slots')
    expect(concurrencyOf(managed.stdout)).toBe(4)
  })

  it('sizes each point of `punie tune` the same way', { timeout: 60_000 }, async () => {
    model.slots = 2
    const out = join(home.path, 'search')
    const ran = await punie([
      'tune',
      '--suite',
      suite,
      '--model',
      model.spec,
      '--temperature',
      '0,0.5',
      '--repeat',
      '1',
      '--out',
      out,
    ])
    expect(ran.code).toBe(0)
    expect(ran.stderr).toContain('2 cases at once (llama.cpp /props reports 2 slots; -j N to change)')
    expect(peak).toBeLessThanOrEqual(2)
    expect(peak).toBeGreaterThan(1)
  })
})
