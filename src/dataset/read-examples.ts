// Reading a canonical dataset: each line parsed and checked against the example schema, as it streams.
import type { Readable } from 'node:stream'
import { type Example, exampleSchema } from './example.js'
import { readJsonl } from './jsonl.js'

export type ExampleLine =
  | { line: number; ok: true; example: Example; bytes: number }
  | { line: number; ok: false; problems: string[]; bytes: number }

export async function* readExamples(input: string | Readable): AsyncGenerator<ExampleLine> {
  for await (const entry of readJsonl(input)) {
    if (!entry.ok) {
      yield { line: entry.line, ok: false, problems: [entry.error], bytes: entry.bytes }
      continue
    }
    const parsed = exampleSchema.safeParse(entry.value)
    if (parsed.success) yield { line: entry.line, ok: true, example: parsed.data, bytes: entry.bytes }
    else
      yield {
        line: entry.line,
        ok: false,
        problems: parsed.error.issues.map(
          (i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
        ),
        bytes: entry.bytes,
      }
  }
}
