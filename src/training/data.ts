// The data folder a trainer reads: the canonical dataset converted through a dataset format and split into
// train.jsonl and valid.jsonl (mlx-lm's layout, which the TRL script reads too). The split is a seeded hash of
// each example's line, so a resumed run holds out the same examples.
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Example } from '../dataset/example.js'
import { formatByName, formatNames } from '../dataset/formats/index.js'
import { JsonlWriter } from '../dataset/jsonl.js'
import { readExamples } from '../dataset/read-examples.js'
import type { TrainConfig } from './config.js'

export class TrainDataError extends Error {
  override name = 'TrainDataError'
}

export interface PreparedData {
  train: number
  valid: number
  format: string
  files: string[]
}

/** Whether a line (1-based) of the dataset is held out for validation. Pure. */
export function isHeldOut(line: number, seed: number, split: number): boolean {
  if (split <= 0) return false
  const digest = createHash('sha256').update(`${seed}:${line}`).digest()
  return digest.readUInt32BE(0) / 0x1_0000_0000 < split
}

export function requireFormat(name: string) {
  const format = formatByName(name)
  if (!format)
    throw new TrainDataError(
      `dataset format "${name}" is not available in this build (known: ${formatNames().join(', ')}); set format: in the config to one of them`,
    )
  return format
}

export async function prepareData(
  config: TrainConfig,
  dir: string,
  defaultFormat: string,
): Promise<PreparedData> {
  const formatName = config.format ?? defaultFormat
  const format = requireFormat(formatName)
  mkdirSync(dir, { recursive: true })
  const train = new JsonlWriter(join(dir, 'train.jsonl'))
  const valid = new JsonlWriter(join(dir, 'valid.jsonl'))
  const counts = { train: 0, valid: 0 }
  const write = async (writer: JsonlWriter, example: Example, line: number, source: string) => {
    let value: unknown
    try {
      value = format.fromExample(example)
    } catch (error) {
      throw new TrainDataError(
        `${source}:${line}: the ${formatName} format cannot express it: ${(error as Error).message}`,
      )
    }
    await writer.write(value)
  }
  try {
    for await (const entry of readExamples(config.dataset)) {
      if (!entry.ok) throw new TrainDataError(`${config.dataset}:${entry.line}: ${entry.problems.join('; ')}`)
      const held = !config.valid_dataset && isHeldOut(entry.line, config.seed, config.validation_split)
      await write(held ? valid : train, entry.example, entry.line, config.dataset)
      counts[held ? 'valid' : 'train']++
    }
    if (config.valid_dataset)
      for await (const entry of readExamples(config.valid_dataset)) {
        if (!entry.ok)
          throw new TrainDataError(`${config.valid_dataset}:${entry.line}: ${entry.problems.join('; ')}`)
        await write(valid, entry.example, entry.line, config.valid_dataset)
        counts.valid++
      }
  } finally {
    await train.close()
    await valid.close()
  }
  if (!counts.train) throw new TrainDataError(`${config.dataset}: no training examples`)
  if (!counts.valid)
    throw new TrainDataError(
      `${config.dataset}: no validation examples (raise validation_split or give valid_dataset): the best checkpoint is chosen by validation loss`,
    )
  return { ...counts, format: formatName, files: [join(dir, 'train.jsonl'), join(dir, 'valid.jsonl')] }
}
