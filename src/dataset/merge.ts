// `punie dataset merge`: provenance for each example, so a merged file still says where every line came from.
import type { Example } from './example.js'

/** The example with metadata.source set to `file:line`, unless it already names its source. */
export function withProvenance(example: Example, file: string, line: number): Example {
  if (example.metadata?.source) return example
  return { ...example, metadata: { ...example.metadata, source: `${file}:${line}` } }
}
