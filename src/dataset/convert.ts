// Converting a dataset file from one format to another as it streams: each line read, turned into the
// canonical example, optionally into Code Mode form, and written in the target format. A bad line is reported
// with its number and skipped; nothing but the current line is held.
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { toCodeForm } from './code-mode.js'
import type { Example } from './example.js'
import type { DatasetFormat } from './formats/format.js'
import { JsonlWriter, readJsonl } from './jsonl.js'

export interface ConvertOptions {
  input: string
  /** A path, or a stream (stdout) the caller owns. */
  output: string | Writable
  from: DatasetFormat
  to: DatasetFormat
  /** Write each example's tool calls as execute_code snippets. */
  codeForm?: boolean
  /** Called with each bad line's number and what is wrong with it. */
  onProblem?: (line: number, problem: string) => void
  /** Called every `progressEvery` lines, and once at the end, with the lines and bytes read so far. */
  onProgress?: (lines: number, bytes: number) => void
  progressEvery?: number
}

export interface ConvertSummary {
  lines: number
  written: number
  problems: number
  bytes: number
}

export async function convertDataset(options: ConvertOptions): Promise<ConvertSummary> {
  const file = typeof options.output === 'string' ? await openForWriting(options.output) : undefined
  const writer = new JsonlWriter(file ?? (options.output as Writable))
  // A write that fails later (a full disk) is thrown at the next line rather than crashing the process.
  let failed: Error | undefined
  file?.on('error', (error) => {
    failed = error
  })
  const every = options.progressEvery ?? 1000
  const summary: ConvertSummary = { lines: 0, written: 0, problems: 0, bytes: 0 }
  try {
    for await (const entry of readJsonl(options.input)) {
      summary.lines++
      summary.bytes += entry.bytes
      const converted = entry.ok
        ? convertLine(entry.value, options)
        : { ok: false as const, problem: entry.error }
      if (failed) throw failed
      if (converted.ok) {
        await writer.write(converted.value)
        summary.written++
      } else {
        summary.problems++
        options.onProblem?.(entry.line, converted.problem)
      }
      if (summary.lines % every === 0) options.onProgress?.(summary.lines, summary.bytes)
    }
  } finally {
    if (file) {
      file.end()
      if (!failed) await once(file, 'finish')
    }
  }
  if (failed) throw failed
  options.onProgress?.(summary.lines, summary.bytes)
  return summary
}

/** The output file, opened before any line is read: a path that cannot be written is an error at once. */
async function openForWriting(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { encoding: 'utf8' })
  await once(stream, 'open')
  return stream
}

function convertLine(
  value: unknown,
  options: ConvertOptions,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  let example: Example
  try {
    example = options.from.toExample(value)
    if (options.codeForm) example = toCodeForm(example)
  } catch (error) {
    return { ok: false, problem: (error as Error).message }
  }
  try {
    return { ok: true, value: options.to.fromExample(example) }
  } catch (error) {
    return { ok: false, problem: `cannot be written as ${options.to.name}: ${(error as Error).message}` }
  }
}
