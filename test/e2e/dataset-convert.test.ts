// `punie dataset convert` as a child process: bad lines reported as file:line and skipped (exit 1) while the
// rest converts, the input format told from the file, usage errors (exit 2), and a 100k-line file converted
// with flat memory (peak RSS measured at 10k and 100k lines and printed; no time asserted).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Example } from '../../src/dataset/example.js'
import { formatByName, roundTripForm } from '../../src/dataset/formats/index.js'
import { BIN } from '../helpers/acp-harness.js'
import { CODE_FORM, DIRECT_ANSWER, MULTI_CALL, TOOLS_NO_SYSTEM } from '../helpers/dataset-examples.js'
import { makeTempDir } from '../helpers/temp.js'

const dir = makeTempDir('punie-convert-')
afterAll(() => dir.remove())

interface Run {
  code: number | null
  stdout: string
  stderr: string
  /** Peak resident set size of the child, in bytes. */
  maxRss: number
}

// Preloaded into the child: writes its peak RSS when it exits, so the measure is the converter's own.
const RSS_HOOK = join(dir.path, 'rss-hook.mjs')
writeFileSync(
  RSS_HOOK,
  "import { writeFileSync } from 'node:fs'\nprocess.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS * 1024)))\n",
)

async function punie(args: string[]): Promise<Run> {
  const rssOut = join(dir.path, `rss-${Math.random().toString(36).slice(2)}`)
  const child = spawn(process.execPath, ['--import', RSS_HOOK, BIN, ...args], {
    env: { ...process.env, RSS_OUT: rssOut },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout, stderr, maxRss: Number(readFileSync(rssOut, 'utf8')) }
}

const sharegpt = formatByName('sharegpt')
const mlx = formatByName('mlx')
if (!sharegpt || !mlx) throw new Error('formats missing')

describe('punie dataset convert', () => {
  it('skips a bad line with file:line on stderr, converts the rest, and exits 1', async () => {
    const input = join(dir.path, 'in.sharegpt.jsonl')
    const examples: Example[] = [MULTI_CALL, TOOLS_NO_SYSTEM, CODE_FORM]
    const lines = examples.map((e) => JSON.stringify(sharegpt.fromExample(e)))
    lines.splice(1, 0, '{"conversations": [{"from": "bot", "value": "hi"}]}')
    lines.splice(3, 0, '{"conversations": [')
    writeFileSync(input, `${lines.join('\n')}\n`)
    const output = join(dir.path, 'out.mlx.jsonl')

    const run = await punie(['dataset', 'convert', input, '--from', 'sharegpt', '--to', 'mlx', '-o', output])

    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `${input}:2: conversations.0.from: expected system, human, gpt, function_call or observation`,
    )
    expect(run.stderr).toContain(`${input}:4: not JSON`)
    expect(run.stderr).toContain('converted 3 of 5 lines from sharegpt to mlx')
    const written = readFileSync(output, 'utf8').trim().split('\n')
    expect(written).toHaveLength(3)
    written.forEach((line, i) => {
      const back = mlx.toExample(JSON.parse(line))
      expect(roundTripForm(back, sharegpt.keeps)).toEqual(
        roundTripForm(examples[i] as Example, sharegpt.keeps),
      )
    })
  })

  it('tells the input format from the file and exits 0 when every line converts', async () => {
    const input = join(dir.path, 'in.mlx.jsonl')
    writeFileSync(
      input,
      `${[DIRECT_ANSWER, MULTI_CALL].map((e) => JSON.stringify(mlx.fromExample(e))).join('\n')}\n`,
    )
    const output = join(dir.path, 'out.openai.jsonl')
    const run = await punie(['dataset', 'convert', input, '--to', 'openai', '-o', output])
    // A direct answer says nothing; the object arguments of the second line could be mlx or axolotl.
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('could be mlx or axolotl: pass --from')

    const hermes = formatByName('hermes')
    const text = join(dir.path, 'in.hermes.jsonl')
    writeFileSync(text, `${JSON.stringify(hermes?.fromExample(MULTI_CALL))}\n`)
    const told = await punie(['dataset', 'convert', text, '--to', 'openai', '-o', output])
    expect(told.stderr).toContain(`reading ${text} as hermes`)
    expect(told.code).toBe(0)
    const back = JSON.parse(readFileSync(output, 'utf8'))
    expect(roundTripForm(back, { ...sharegpt.keeps, textWithCalls: true })).toEqual(
      roundTripForm(MULTI_CALL, { ...sharegpt.keeps, textWithCalls: true }),
    )
  })

  it('exits 2 for an unknown format, naming the known ones, and for a missing input', async () => {
    const unknown = await punie(['dataset', 'convert', RSS_HOOK, '--to', 'alpaca', '-o', join(dir.path, 'x')])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      "unknown format 'alpaca' for --to; known formats: openai, mlx, hermes, qwen3-coder, sharegpt, axolotl",
    )
    const missing = await punie([
      'dataset',
      'convert',
      join(dir.path, 'nope.jsonl'),
      '--to',
      'mlx',
      '-o',
      join(dir.path, 'x'),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no such file')
  })

  // util-linux `script` gives the child a terminal, where progress is one line rewritten in place.
  const hasScript = existsSync('/usr/bin/script')
  if (!hasScript)
    process.stdout.write('skipping the terminal progress test: /usr/bin/script (util-linux) is missing\n')
  it.skipIf(!hasScript)('on a terminal, progress is one line rewritten in place', async () => {
    const input = join(dir.path, 'tty.jsonl')
    writeFileSync(input, `${JSON.stringify(MULTI_CALL)}\n`.repeat(20_000))
    const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`
    const command = [
      process.execPath,
      BIN,
      'dataset',
      'convert',
      input,
      '--from',
      'openai',
      '--to',
      'hermes',
      '-o',
      `${input}.out`,
    ]
      .map(quote)
      .join(' ')
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let screen = ''
    child.stdout.on('data', (d) => {
      screen += d
    })
    const [code] = (await once(child, 'close')) as [number | null]
    expect(code).toBe(0)
    expect(screen).toContain('\rconvert [')
    expect(
      screen
        .split('\r')
        .some((part) => /^convert \[[#-]+\] \d+% {2}[\d,]+ lines, [\d.]+ [KM]B of [\d.]+ [KM]B/.test(part)),
    ).toBe(true)
    expect(screen).toContain('converted 20000 of 20000 lines from openai to hermes')
  })

  it('converts 100k lines with flat memory', { timeout: 120_000 }, async () => {
    const examples = [MULTI_CALL, DIRECT_ANSWER, TOOLS_NO_SYSTEM, CODE_FORM].map((e) => JSON.stringify(e))
    const write = async (path: string, count: number) => {
      const out = createWriteStream(path)
      for (let i = 0; i < count; i++)
        if (!out.write(`${examples[i % examples.length]}\n`)) await once(out, 'drain')
      out.end()
      await once(out, 'finish')
    }
    const small = join(dir.path, 'small.jsonl')
    const large = join(dir.path, 'large.jsonl')
    await write(small, 10_000)
    await write(large, 100_000)
    const convert = async (input: string) => {
      const output = `${input}.qwen3.jsonl`
      const started = Date.now()
      const run = await punie([
        'dataset',
        'convert',
        input,
        '--from',
        'openai',
        '--to',
        'qwen3-coder',
        '--progress',
        '1',
        '-o',
        output,
      ])
      const seconds = (Date.now() - started) / 1000
      expect(run.code).toBe(0)
      return { ...run, seconds, output }
    }
    const s = await convert(small)
    const l = await convert(large)
    const inputMb = readFileSync(large).length / 1e6
    const mb = (n: number) => (n / 1e6).toFixed(0)
    process.stdout.write(
      `dataset convert openai → qwen3-coder: 10k lines peak RSS ${mb(s.maxRss)} MB (${s.seconds.toFixed(1)} s), ` +
        `100k lines (${inputMb.toFixed(0)} MB) peak RSS ${mb(l.maxRss)} MB (${l.seconds.toFixed(1)} s, ` +
        `${Math.round(100_000 / l.seconds)} lines/s)\n`,
    )
    expect(l.stderr).toContain('converted 100000 of 100000 lines')
    expect(l.stderr).toMatch(/convert: \d+%, [\d,]+ lines, [\d.]+ [KM]B of [\d.]+ [KM]B/)
    // Ten times the lines, and a file bigger than the difference allowed: memory held whole would show here.
    expect(l.maxRss - s.maxRss).toBeLessThanOrEqual(48 * 1024 * 1024)
    expect(inputMb).toBeGreaterThan(48)
  })
})
