// A symlink swapped in between the boundary check and the open must not let a read or write out of the workspace.
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalWorkspace } from '../../src/workspace/local.js'
import { makeTempDir } from '../helpers/temp.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/**
 * A workspace whose target.txt another process flips, atomically and as fast as it can, between a regular
 * file and a symlink to `outsideName` in a directory outside the workspace.
 */
function racingWorkspace(outsideName: string) {
  const root = makeTempDir('punie-race-root-')
  const outside = makeTempDir('punie-race-outside-')
  writeFileSync(join(root.path, 'inside.txt'), 'inside')
  writeFileSync(join(root.path, 'target.txt'), 'inside')
  const linkTarget = join(outside.path, outsideName)
  const swapper = spawn(
    '/bin/sh',
    [
      '-c',
      `cd "${root.path}"; while :; do ln -sf "${linkTarget}" l.tmp; mv -f l.tmp target.txt; cp inside.txt f.tmp; mv -f f.tmp target.txt; done`,
    ],
    { stdio: 'ignore', detached: true },
  )
  cleanups.push(() => {
    process.kill(-(swapper.pid as number), 'SIGKILL')
    root.remove()
    outside.remove()
  })
  return { workspace: new LocalWorkspace(root.path), outside: outside.path, linkTarget }
}

describe('a symlink swapped in while a file is being opened', () => {
  it('never yields the outside file', async () => {
    const race = racingWorkspace('secret.txt')
    writeFileSync(race.linkTarget, 'SECRET')
    const seen = { inside: 0, refused: 0, secret: 0 }
    // At least 1500 reads, and on until both outcomes have been seen (a slow swapper must not pass vacuously).
    for (let i = 0; i < 10_000 && (i < 1500 || !seen.refused || !seen.inside); i++) {
      try {
        const text = await race.workspace.readText('target.txt')
        if (text.includes('SECRET')) seen.secret++
        else seen.inside++
      } catch {
        seen.refused++
      }
    }
    expect(seen.secret).toBe(0)
    expect(seen.inside).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  })

  it('never writes or creates anything outside', async () => {
    const race = racingWorkspace('victim.txt')
    let written = 0
    for (let i = 0; i < 1000; i++) {
      await race.workspace.writeText('target.txt', 'OVERWRITE').then(
        () => written++,
        () => undefined,
      )
    }
    expect(existsSync(race.linkTarget)).toBe(false)
    expect(written).toBeGreaterThan(0)
  })
})
