// Streaming JSONL: a file of millions of lines is read one line at a time and never held whole; every value
// and every problem carries its 1-based line number. Writing keeps to the stream's back-pressure.

import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'

export type JsonlLine =
  | { line: number; ok: true; value: unknown; bytes: number }
  | { line: number; ok: false; error: string; bytes: number }

/** Each non-blank line of `input` (a path or a stream), parsed; a line that is not JSON is a problem, not a throw. */
export async function* readJsonl(input: string | Readable): AsyncGenerator<JsonlLine> {
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
  let line = 0
  try {
    for await (const text of lines) {
      line++
      if (text.trim() === '') continue
      const bytes = Buffer.byteLength(text) + 1
      try {
        yield { line, ok: true, value: JSON.parse(text), bytes }
      } catch (error) {
        yield { line, ok: false, error: `not JSON: ${(error as Error).message}`, bytes }
      }
    }
  } finally {
    lines.close()
    if (typeof input === 'string') stream.destroy()
  }
}

/** A JSONL writer over a path or a stream: one value a line, waiting when the stream's buffer is full. */
export class JsonlWriter {
  private readonly stream: Writable
  private readonly owned: boolean
  count = 0

  constructor(output: string | Writable) {
    this.owned = typeof output === 'string'
    this.stream = typeof output === 'string' ? createWriteStream(output, { encoding: 'utf8' }) : output
  }

  async write(value: unknown): Promise<void> {
    this.count++
    if (!this.stream.write(`${JSON.stringify(value)}\n`)) await once(this.stream, 'drain')
  }

  /** Flushes, and closes the file when the writer opened it. */
  async close(): Promise<void> {
    if (!this.owned) return
    this.stream.end()
    await once(this.stream, 'finish')
  }
}
