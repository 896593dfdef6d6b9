// Fuzzes the workspace boundary with generated hostile paths: none may reach the secret outside the root.
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalWorkspace } from '../../src/workspace/local.js'
import { isWithin } from '../../src/workspace/paths.js'
import { makeTempDir } from '../helpers/temp.js'

const SECRET = 'TOP-SECRET-OUTSIDE'
const INSIDE = 'harmless inside content'

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function hostilePaths(count: number, outside: string, seed = 20261125): string[] {
  const random = rng(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  const parts = [
    '..',
    '../',
    '../..',
    '.',
    './',
    '/',
    '//',
    'sub',
    'sub/..',
    'escape',
    'escape/',
    'deep/link',
    'inside.txt',
    'secret.txt',
    '%2e%2e',
    '..%2f',
    '\\..\\',
    '..\\',
    '\u0000',
    '\n',
    '\t',
    '~',
    '~root',
    '...',
    '.. ',
    ' ..',
    '\u2025',
    '\uff0e\uff0e',
    'a/../../',
    'sub/../../',
    outside,
    `${outside}/secret.txt`,
    '/etc/passwd',
    '/proc/self/root',
    'C:\\Windows',
    'file:///etc/passwd',
    'missing/../..',
  ]
  const out: string[] = []
  while (out.length < count) {
    const length = 1 + Math.floor(random() * 5)
    const segments = Array.from({ length }, () => pick(parts))
    const joiner = pick(['/', '', '//', '/./'])
    out.push(segments.join(joiner))
  }
  return out
}

describe('workspace boundary under fuzzing', () => {
  const root = makeTempDir('punie-fuzz-root-')
  const outside = makeTempDir('punie-fuzz-outside-')
  let workspace: LocalWorkspace

  beforeAll(() => {
    writeFileSync(join(outside.path, 'secret.txt'), SECRET)
    writeFileSync(join(root.path, 'inside.txt'), INSIDE)
    mkdirSync(join(root.path, 'sub'))
    mkdirSync(join(root.path, 'deep'))
    symlinkSync(outside.path, join(root.path, 'escape'))
    symlinkSync(join(outside.path, 'secret.txt'), join(root.path, 'secret.txt'))
    symlinkSync('../..', join(root.path, 'deep', 'link'))
    workspace = new LocalWorkspace(root.path)
  })
  afterAll(() => {
    root.remove()
    outside.remove()
  })

  it('lets none of 600 generated hostile paths out, while inside paths still work', async () => {
    const paths = hostilePaths(600, outside.path)
    const realRoot = realpathSync(root.path)
    const escapes: string[] = []
    let readInside = 0
    let refused = 0
    for (const path of paths) {
      let resolved: string | undefined
      try {
        resolved = await workspace.resolve(path)
      } catch (error) {
        expect((error as Error).name, path).toBe('WorkspaceBoundaryError')
        refused++
        continue
      }
      let real: string
      try {
        real = realpathSync(resolved)
      } catch {
        real = resolved
      }
      if (!isWithin(realRoot, real)) escapes.push(`${JSON.stringify(path)} resolved to ${real}`)
      try {
        const text = await workspace.readText(path)
        if (text.includes(SECRET)) escapes.push(`${JSON.stringify(path)} read the secret`)
        if (text === INSIDE) readInside++
      } catch {
        // not a readable file: fine
      }
    }
    expect(escapes).toEqual([])
    expect(refused).toBeGreaterThan(300)
    expect(readInside).toBeGreaterThan(0)
  })

  it('refuses each kind of escape with an error naming the path and the root', async () => {
    for (const path of [
      '../x',
      '/etc/passwd',
      'escape/secret.txt',
      'secret.txt',
      'deep/link/etc',
      'a\u0000b',
      'a\\..\\b',
    ]) {
      await expect(workspace.resolve(path)).rejects.toThrow(new RegExp(`workspace root: ${root.path}`))
    }
  })

  it('writes neither through a symlinked directory nor through a symlinked file', async () => {
    await expect(workspace.writeText('escape/new.txt', 'x')).rejects.toThrow(/outside the workspace/)
    await expect(workspace.writeText('secret.txt', 'overwritten')).rejects.toThrow(/outside the workspace/)
    await expect(workspace.readText('escape/secret.txt')).rejects.toThrow(/outside the workspace/)
  })

  it('checks a command working directory the same way', async () => {
    await expect(workspace.resolve('escape')).rejects.toThrow(/symlink/)
    await expect(workspace.resolve('sub')).resolves.toBe(join(root.path, 'sub'))
  })

  it('allows additional directories and nothing beside them', async () => {
    const extra = makeTempDir('punie-fuzz-extra-')
    writeFileSync(join(extra.path, 'shared.txt'), 'shared')
    const multi = new LocalWorkspace(root.path, [extra.path])
    await expect(multi.readText(join(extra.path, 'shared.txt'))).resolves.toBe('shared')
    await expect(multi.readText(join(outside.path, 'secret.txt'))).rejects.toThrow(/outside the workspace/)
    extra.remove()
  })
})
