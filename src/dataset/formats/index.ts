// Every dataset format, by name: the one list commands and help texts read.
import { axolotlFormat } from './axolotl.js'
import type { DatasetFormat } from './format.js'
import { hermesFormat } from './hermes.js'
import { mlxFormat } from './mlx.js'
import { openaiFormat } from './openai.js'
import { qwen3CoderFormat } from './qwen3-coder.js'
import { sharegptFormat } from './sharegpt.js'

export type { DatasetFormat } from './format.js'
export { type FormatKeeps, roundTripForm } from './shared.js'

export const FORMATS: readonly DatasetFormat[] = [
  openaiFormat,
  mlxFormat,
  hermesFormat,
  qwen3CoderFormat,
  sharegptFormat,
  axolotlFormat,
]

export function formatByName(name: string): DatasetFormat | undefined {
  return FORMATS.find((f) => f.name === name)
}

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name)
}
