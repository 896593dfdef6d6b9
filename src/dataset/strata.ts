// What an example is stratified by (split --stratify, sample --stratify): a metadata field, read the same way
// everywhere. Pure.
import type { Example } from './example.js'

export const NO_STRATUM = '(none)'

export function stratumOf(example: Example, field: string | undefined): string {
  if (!field) return ''
  const value = (example.metadata as Record<string, unknown> | undefined)?.[field]
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : NO_STRATUM
}
