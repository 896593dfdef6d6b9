import { describe, expect, it } from 'vitest'
import {
  boundValue,
  byteLength,
  capToolResult,
  formatBytes,
  headBytes,
  tailBytes,
} from '../../src/tools/limits.js'

describe('tool result limits', () => {
  it('leaves a result under the cap alone', () => {
    expect(capToolResult('short', 1024)).toBe('short')
  })

  it('cuts a long result to the cap and says how much more there is and how to get it', () => {
    const capped = capToolResult('x'.repeat(5 * 1024 * 1024), 32 * 1024)
    expect(byteLength(capped)).toBeLessThanOrEqual(32 * 1024)
    expect(capped).toMatch(
      /\[… 5 MB more not shown: a tool result may add at most 32 KB to the conversation\. Ask for less/,
    )
  })

  it('never splits a multi-byte character', () => {
    const text = 'é€😀'.repeat(1000)
    const head = headBytes(text, 101)
    expect(byteLength(head)).toBeLessThanOrEqual(101)
    expect(text.startsWith(head)).toBe(true)
    expect(head).not.toContain('\uFFFD')
    const end = tailBytes(text, 101)
    expect(byteLength(end)).toBeLessThanOrEqual(101)
    expect(text.endsWith(end)).toBe(true)
    const capped = capToolResult(text, 1000)
    expect(byteLength(capped)).toBeLessThanOrEqual(1000)
    expect(capped).not.toContain('\uFFFD')
  })

  it('formats sizes for people', () => {
    expect([formatBytes(512), formatBytes(32 * 1024), formatBytes(1.2 * 1024 * 1024)]).toEqual([
      '512 B',
      '32 KB',
      '1.2 MB',
    ])
  })

  it('bounds a huge value cheaply, marking each cut', () => {
    const huge = { text: 'x'.repeat(10_000_000), list: Array.from({ length: 100_000 }, (_, i) => i), n: 1 }
    const bounded = boundValue(huge, 1000)
    expect(bounded.cut).toBe(true)
    const json = JSON.stringify(bounded.value)
    expect(json.length).toBeLessThanOrEqual(1200)
    expect(json).toMatch(/… \[\d+ more characters\]/)
    expect(boundValue([1, 2, 3], 1000)).toEqual({ value: [1, 2, 3], cut: false })
    const many = boundValue(
      Array.from({ length: 1000 }, () => 'abcdef'),
      100,
    )
    expect((many.value as string[]).at(-1)).toMatch(/^… \[\d+ more items\]$/)
  })
})
