import { describe, expect, it } from 'vitest'
import { diffText } from '../../src/client/diff-text.js'
import { proposedChange } from '../../src/client/permission-prompt.js'

describe('the diff a permission prompt shows', () => {
  it('is a unified diff with context around each change', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n')
    const after = before.replace('b', 'B').replace('i', 'I\nI2')
    expect(diffText('x.py', `${before}\n`, `${after}\n`, { context: 1 })).toEqual([
      '--- x.py',
      '+++ x.py',
      '@@ -1,3 +1,3 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      '@@ -8,3 +8,4 @@',
      ' h',
      '-i',
      '+I',
      '+I2',
      ' j',
    ])
    expect(diffText('x.py', 'same\n', 'same\n')).toEqual([])
  })

  it('stays within its line budget and shows relative paths', () => {
    const lines = proposedChange(
      [{ type: 'diff', path: '/w/big.txt', oldText: null, newText: 'x\n'.repeat(500) }],
      '/w',
      10,
    )
    expect(lines[0]).toBe('+++ big.txt (new file)')
    expect(lines).toHaveLength(11)
    expect(lines.at(-1)).toMatch(/^… \d+ more/)
  })
})
