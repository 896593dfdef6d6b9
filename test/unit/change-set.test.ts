// The change-set mechanism behind rename_symbol, format and lint fixes: one value, applied all or nothing.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  applyChangeSet,
  changedPaths,
  changeSet,
  changeSetPermission,
  lineCounts,
} from '../../src/tools/change-set.js'
import { LocalWorkspace } from '../../src/workspace/local.js'
import type { Workspace } from '../../src/workspace/workspace.js'
import { makeTempDir } from '../helpers/temp.js'

/** A real local workspace whose writes to one file fail, as a full disk or a vanished IDE buffer would. */
function failingOn(workspace: LocalWorkspace, path: string): Workspace {
  return Object.assign(Object.create(workspace) as Workspace, {
    writeText: async (target: string, content: string) => {
      if (target === path) throw new Error('disk full')
      return workspace.writeText(target, content)
    },
  })
}

describe('change sets', () => {
  it('keeps only real changes, one per file, in path order', () => {
    expect(
      changeSet([
        { path: '/w/b.py', oldText: 'b', newText: 'B' },
        { path: '/w/a.py', oldText: 'a', newText: 'a' },
        { path: '/w/c.py', oldText: 'c', newText: 'C' },
        { path: '/w/c.py', oldText: 'C', newText: 'CC' },
      ]),
    ).toEqual([
      { path: '/w/b.py', oldText: 'b', newText: 'B' },
      { path: '/w/c.py', oldText: 'c', newText: 'CC' },
    ])
  })

  it('asks as an edit of every diffed path, and not at all when nothing changes', () => {
    const lint = { name: 'lint', kind: 'read', permission: 'ask', changeSet: true } as const
    const preview = [
      { type: 'diff', path: '/w/a.py', oldText: 'a', newText: 'b' },
      { type: 'diff', path: '/w/.git/config', oldText: '', newText: 'x' },
    ] as const
    expect(changedPaths(preview)).toEqual(['/w/a.py', '/w/.git/config'])
    expect(changeSetPermission(lint, preview)).toEqual({ name: 'lint', kind: 'edit', permission: 'ask' })
    expect(changeSetPermission(lint, [])).toEqual({ name: 'lint', kind: 'read', permission: 'never' })
    const plain = { name: 'write_file', kind: 'edit', permission: 'ask' } as const
    expect(changeSetPermission(plain, [])).toBe(plain)
  })

  it('counts the lines added and removed', () => {
    expect(lineCounts('a\nb\nc\n', 'a\nB\nc\n')).toEqual({ added: 1, removed: 1 })
    expect(lineCounts('import os\nx = 1\n', 'x = 1\n')).toEqual({ added: 0, removed: 1 })
    expect(lineCounts('a\nc\n', 'a\nb\nc\nd\n')).toEqual({ added: 2, removed: 0 })
    expect(lineCounts('same\n', 'same\n')).toEqual({ added: 0, removed: 0 })
  })

  it('writes every file, or restores those written when one write fails', async () => {
    const dir = makeTempDir('punie-changeset-')
    try {
      const [a, b, c] = ['a.py', 'b.py', 'c.py'].map((n) => join(dir.path, n)) as [string, string, string]
      for (const file of [a, b, c]) writeFileSync(file, `old ${file}\n`)
      const local = new LocalWorkspace(dir.path)
      const changes = [a, b, c].map((file) => ({ path: file, oldText: `old ${file}\n`, newText: 'new\n' }))

      await expect(applyChangeSet(failingOn(local, c), changes)).rejects.toThrow(
        /could not write c\.py \(disk full\); no file was changed/,
      )
      for (const file of [a, b, c]) expect(readFileSync(file, 'utf8')).toBe(`old ${file}\n`)

      writeFileSync(b, 'edited meanwhile\n')
      await expect(applyChangeSet(local, changes)).rejects.toThrow(
        /b\.py changed after the changes were computed; nothing was written/,
      )
      expect(readFileSync(a, 'utf8')).toBe(`old ${a}\n`)

      writeFileSync(b, `old ${b}\n`)
      expect(await applyChangeSet(local, changes)).toEqual([
        { path: 'a.py', added: 1, removed: 1 },
        { path: 'b.py', added: 1, removed: 1 },
        { path: 'c.py', added: 1, removed: 1 },
      ])
      for (const file of [a, b, c]) expect(readFileSync(file, 'utf8')).toBe('new\n')
    } finally {
      dir.remove()
    }
  })
})
