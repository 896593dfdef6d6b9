// Which paths in a language server's answer may show more than a location: the Python library, not the rest.
import { execFileSync } from 'node:child_process'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { libraryRoots, outsideWhereabouts } from '../../src/devtools/lsp/boundary.js'
import { makeTempDir } from '../helpers/temp.js'

function stdlibOs(): string | undefined {
  try {
    return execFileSync('python3', ['-I', '-c', 'import os; print(os.__file__)'], { encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
}

describe('library roots for language server results', () => {
  const os = stdlibOs()
  if (!os) console.warn('skipping the Python library checks: python3 is not installed')

  it.skipIf(!os)(
    'counts the standard library as library, and a symlink out of it by its real path',
    async () => {
      const roots = await libraryRoots()
      const dir = makeTempDir('punie-lib-')
      try {
        writeFileSync(join(dir.path, 'secret.py'), 'x = 1\n')
        symlinkSync(os as string, join(dir.path, 'os_link.py'))
        symlinkSync(join(dir.path, 'secret.py'), join(dir.path, 'secret_link.py'))
        expect((await outsideWhereabouts(os as string, roots)).where).toBe('library')
        expect((await outsideWhereabouts(join(dir.path, 'os_link.py'), roots)).where).toBe('library')
        expect(await outsideWhereabouts(join(dir.path, 'secret.py'), roots)).toEqual({ where: 'outside' })
        expect(await outsideWhereabouts(join(dir.path, 'secret_link.py'), roots)).toEqual({
          where: 'outside',
        })
        expect(await outsideWhereabouts(join(dir.path, 'missing.py'), roots)).toEqual({ where: 'outside' })
      } finally {
        dir.remove()
      }
    },
  )

  it('counts pyright’s bundled typeshed as library even without Python', async () => {
    const roots = await libraryRoots()
    expect(roots.some((r) => r.endsWith(join('pyright', 'dist')))).toBe(true)
  })
})
