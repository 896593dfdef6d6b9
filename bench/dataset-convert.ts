// `punie dataset convert` throughput and memory on generated files: examples per second and the child's peak
// RSS, at each size asked for (BENCH_DATASET_LINES, default 100k and 1M), so a file ten times longer shows
// whether memory stays flat.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN } from '../test/helpers/acp-harness.js'
import { CODE_FORM, DIRECT_ANSWER, MULTI_CALL, TOOLS_NO_SYSTEM } from '../test/helpers/dataset-examples.js'
import { makeTempDir } from '../test/helpers/temp.js'

export interface ConvertFigure {
  lines: number
  megabytes: number
  linesPerSecond: number
  peakRssMb: number
}

export const DATASET_LINES = (process.env.BENCH_DATASET_LINES ?? '100000,1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)

export async function convertFigures(sizes = DATASET_LINES, to = 'qwen3-coder'): Promise<ConvertFigure[]> {
  const dir = makeTempDir('punie-bench-convert-')
  const hook = join(dir.path, 'rss.mjs')
  writeFileSync(
    hook,
    "import { writeFileSync } from 'node:fs'\nprocess.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)))\n",
  )
  const lines = [MULTI_CALL, DIRECT_ANSWER, TOOLS_NO_SYSTEM, CODE_FORM].map((e) => `${JSON.stringify(e)}\n`)
  const figures: ConvertFigure[] = []
  try {
    for (const size of sizes) {
      const input = join(dir.path, `in-${size}.jsonl`)
      const out = createWriteStream(input)
      for (let i = 0; i < size; i++) if (!out.write(lines[i % lines.length])) await once(out, 'drain')
      out.end()
      await once(out, 'finish')
      const rssOut = join(dir.path, `rss-${size}`)
      const started = performance.now()
      const child = spawn(
        process.execPath,
        [
          '--import',
          hook,
          BIN,
          'dataset',
          'convert',
          input,
          '--from',
          'openai',
          '--to',
          to,
          '-o',
          `${input}.out`,
        ],
        { env: { ...process.env, RSS_OUT: rssOut }, stdio: 'ignore' },
      )
      const [code] = (await once(child, 'close')) as [number | null]
      const seconds = (performance.now() - started) / 1000
      if (code !== 0) throw new Error(`dataset convert exited ${code} on ${size} lines`)
      figures.push({
        lines: size,
        megabytes: statSync(input).size / 1e6,
        linesPerSecond: size / seconds,
        peakRssMb: Number(readFileSync(rssOut, 'utf8')) / 1024,
      })
    }
  } finally {
    dir.remove()
  }
  return figures
}
