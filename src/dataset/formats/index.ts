// Every dataset format, by name: the one list commands and help texts read.
import type { DatasetFormat } from './format.js'
import { openaiFormat } from './openai.js'

export type { DatasetFormat } from './format.js'

export const FORMATS: readonly DatasetFormat[] = [openaiFormat]

export function formatByName(name: string): DatasetFormat | undefined {
  return FORMATS.find((f) => f.name === name)
}

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name)
}
