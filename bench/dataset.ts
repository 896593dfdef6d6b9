// Dataset command throughput: validate, stats and convert (each format in FORMATS) as child processes over
// generated canonical files of 100k and 1M examples (BENCH_DATASET_LINES changes the larger size): examples
// per second and peak RSS, which must stay flat as the file grows (every command streams).
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FORMATS } from '../src/dataset/formats/index.js'
import { seededRandom } from '../src/dataset/random.js'
import { BIN } from '../test/helpers/acp-harness.js'
import { makeTempDir } from '../test/helpers/temp.js'

export interface DatasetRun {
  command: string
  lines: number
  fileMb: number
  seconds: number
  examplesPerSecond: number
  peakRssMb: number
}

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'edit_file',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, old: { type: 'string' }, new: { type: 'string' } },
        required: ['path', 'old', 'new'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'execute_code',
      parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
    },
  },
]

/** One generated example: about 30% direct answers, the rest direct tool calls or one execute_code snippet. */
function example(i: number, random: () => number): unknown {
  const file = `src/module_${i % 997}.py`
  const system = {
    role: 'system',
    content: 'You are Punie, a coding agent. Use the tools to read and change files.',
  }
  const r = random()
  if (r < 0.3)
    return {
      messages: [
        system,
        { role: 'user', content: `What does a list comprehension do? (${i})` },
        {
          role: 'assistant',
          content: 'It builds a list from an iterable in one expression: [f(x) for x in xs if p(x)].',
        },
      ],
      tools: TOOLS,
      metadata: { id: `gen-${i}`, category: 'explain', outcome: 'success', toolMode: 'direct' },
    }
  const call = (id: string, name: string, args: unknown) => ({
    id,
    type: 'function',
    function: { name, arguments: JSON.stringify(args) },
  })
  if (r < 0.8)
    return {
      messages: [
        system,
        { role: 'user', content: `Rename total to subtotal in ${file}.` },
        { role: 'assistant', tool_calls: [call('c1', 'read_file', { path: file })] },
        {
          role: 'tool',
          tool_call_id: 'c1',
          content: `def price(items):\n    total = sum(i.cost for i in items)\n    return total * ${i % 7}\n`,
        },
        {
          role: 'assistant',
          tool_calls: [call('c2', 'edit_file', { path: file, old: 'total = sum', new: 'subtotal = sum' })],
        },
        { role: 'tool', tool_call_id: 'c2', content: `{"path":"${file}","replacements":1}` },
        { role: 'assistant', content: `Renamed total to subtotal in ${file}.` },
      ],
      tools: TOOLS,
      metadata: {
        id: `gen-${i}`,
        category: 'edit',
        outcome: random() < 0.9 ? 'success' : 'failure',
        toolMode: 'direct',
      },
    }
  return {
    messages: [
      system,
      { role: 'user', content: `Count the TODO lines in ${file}.` },
      {
        role: 'assistant',
        tool_calls: [
          call('c1', 'execute_code', {
            code: `text = read_file(path="${file}").content\nprint(sum("TODO" in l for l in text.splitlines()))`,
          }),
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: String(i % 5) },
      { role: 'assistant', content: `${i % 5} TODO lines.` },
    ],
    tools: TOOLS,
    metadata: { id: `gen-${i}`, category: 'code', outcome: 'success', toolMode: 'code' },
  }
}

export async function generate(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path)
  const random = seededRandom(lines)
  for (let i = 0; i < lines; i++)
    if (!out.write(`${JSON.stringify(example(i, random))}\n`)) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

/** Runs a command, timing it and reading its peak RSS from /usr/bin/time -v, or from the child's own report. */
function measure(command: string, argv: string[], lines: number, file: string): DatasetRun {
  const time = existsSync('/usr/bin/time')
  const started = performance.now()
  const run = spawnSync(
    time ? '/usr/bin/time' : process.execPath,
    time ? ['-v', process.execPath, ...argv] : argv,
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  )
  const seconds = (performance.now() - started) / 1000
  if (run.status !== 0) throw new Error(`${command} failed (${run.status}): ${run.stderr.slice(-2000)}`)
  const kb = time
    ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1])
    : Number(/punie-max-rss-kb (\d+)/.exec(run.stderr)?.[1])
  return {
    command,
    lines,
    fileMb: statSync(file).size / 1024 / 1024,
    seconds,
    examplesPerSecond: lines / seconds,
    peakRssMb: kb / 1024,
  }
}

const CAPPED_HEAP_MB = 64

export async function datasetRuns(
  sizes = [100_000, Number(process.env.BENCH_DATASET_LINES ?? 1_000_000)],
): Promise<DatasetRun[]> {
  const dir = makeTempDir('punie-bench-dataset-')
  const runs: DatasetRun[] = []
  try {
    for (const lines of sizes) {
      const file = join(dir.path, `gen-${lines}.jsonl`)
      await generate(file, lines)
      runs.push(
        measure('validate', [BIN, 'dataset', 'validate', file, '--quiet', '--report-rss'], lines, file),
      )
      runs.push(
        measure('stats', [BIN, 'dataset', 'stats', file, '--quiet', '--json', '--report-rss'], lines, file),
      )
      // V8 grows its heap lazily, so default peak RSS rises a little with the file; under a fixed old-space cap
      // the largest file still passes, which shows that nothing is held per example.
      if (lines === sizes.at(-1))
        runs.push(
          measure(
            `validate, --max-old-space-size=${CAPPED_HEAP_MB}`,
            [
              `--max-old-space-size=${CAPPED_HEAP_MB}`,
              BIN,
              'dataset',
              'validate',
              file,
              '--quiet',
              '--report-rss',
            ],
            lines,
            file,
          ),
        )
      for (const format of FORMATS) {
        const out = join(dir.path, `out-${format.name}.jsonl`)
        runs.push(
          measure(
            `convert → ${format.name}`,
            [BIN, 'dataset', 'convert', file, '--from', 'openai', '--to', format.name, '-o', out],
            lines,
            file,
          ),
        )
      }
    }
  } finally {
    dir.remove()
  }
  return runs
}

export function datasetTable(runs: readonly DatasetRun[]): string {
  const rows = runs.map((r) => [
    r.command,
    r.lines.toLocaleString('en-US'),
    `${r.fileMb.toFixed(0)} MB`,
    `${r.seconds.toFixed(1)} s`,
    `${Math.round(r.examplesPerSecond).toLocaleString('en-US')}/s`,
    `${r.peakRssMb.toFixed(0)} MB`,
  ])
  const head = ['command', 'examples', 'file', 'time', 'examples/s', 'peak RSS']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ')
  return [line(head), ...rows.map(line)].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.env.BENCH_DATASET_SIZES?.split(',').map(Number)
  console.log(datasetTable(await datasetRuns(sizes)))
}

/** The bench table's rows: throughput and peak RSS per command and size, and how much RSS grew with the file. */
export async function datasetFigures(): Promise<
  { name: string; value: number; unit: string; target?: string; note?: string }[]
> {
  const runs = await datasetRuns()
  const figures = runs.map((r) => ({
    name: `dataset ${r.command}, ${r.lines.toLocaleString('en-US')} examples`,
    value: Math.round(r.examplesPerSecond),
    unit: 'examples/s',
    note: `peak RSS ${r.peakRssMb.toFixed(0)} MB; ${r.fileMb.toFixed(0)} MB file in ${r.seconds.toFixed(1)} s`,
  }))
  const sizes = [...new Set(runs.map((r) => r.lines))]
  const [small, large] = [sizes[0], sizes.at(-1)]
  for (const command of new Set(runs.map((r) => r.command))) {
    const a = runs.find((r) => r.command === command && r.lines === small)
    const b = runs.find((r) => r.command === command && r.lines === large)
    if (a && b && a !== b)
      figures.push({
        name: `dataset ${command}: peak RSS, ${b.lines.toLocaleString('en-US')} vs ${a.lines.toLocaleString('en-US')} examples`,
        value: Math.round((b.peakRssMb / a.peakRssMb) * 100) / 100,
        unit: '×',
        note: `${a.peakRssMb.toFixed(0)} MB → ${b.peakRssMb.toFixed(0)} MB; V8 grows its heap lazily: the capped-heap run bounds what is held`,
      } as (typeof figures)[number])
  }
  return figures
}
