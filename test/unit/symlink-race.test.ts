// A symlink swapped in between the boundary check and the open must not let a read out of the workspace.
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalWorkspace } from '../../src/workspace/local.js'
import { makeTempDir } from '../helpers/temp.js'

describe('a symlink swapped in while a file is being opened', () => {
  it('never yields the outside file', async () => {
    const root = makeTempDir('punie-race-root-')
    const outside = makeTempDir('punie-race-outside-')
    writeFileSync(join(outside.path, 'secret.txt'), 'SECRET')
    writeFileSync(join(root.path, 'inside.txt'), 'inside')
    writeFileSync(join(root.path, 'target.txt'), 'inside')
    // Atomically flips target.txt between a regular file and a symlink to the secret, as fast as it can.
    const swapper = spawn(
      '/bin/sh',
      [
        '-c',
        `cd "${root.path}"; while :; do ln -sf "${outside.path}/secret.txt" l.tmp; mv -f l.tmp target.txt; cp inside.txt f.tmp; mv -f f.tmp target.txt; done`,
      ],
      { stdio: 'ignore', detached: true },
    )
    const workspace = new LocalWorkspace(root.path)
    const seen = { inside: 0, refused: 0, secret: 0 }
    try {
      // At least 1500 reads, and on until both outcomes have been seen (a slow swapper must not pass vacuously).
      for (let i = 0; i < 10_000 && (i < 1500 || !seen.refused || !seen.inside); i++) {
        try {
          const text = await workspace.readText('target.txt')
          if (text.includes('SECRET')) seen.secret++
          else seen.inside++
        } catch {
          seen.refused++
        }
      }
    } finally {
      process.kill(-(swapper.pid as number), 'SIGKILL')
      root.remove()
      outside.remove()
    }
    expect(seen.secret).toBe(0)
    expect(seen.inside).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  })
})

describe('a symlink swapped in while a file is being written', () => {
  it('never writes or creates anything outside', async () => {
    const root = makeTempDir('punie-race-root-')
    const outside = makeTempDir('punie-race-outside-')
    writeFileSync(join(root.path, 'inside.txt'), 'inside')
    writeFileSync(join(root.path, 'target.txt'), 'inside')
    const victim = join(outside.path, 'victim.txt')
    const swapper = spawn(
      '/bin/sh',
      [
        '-c',
        `cd "${root.path}"; while :; do ln -sf "${victim}" l.tmp; mv -f l.tmp target.txt; cp inside.txt f.tmp; mv -f f.tmp target.txt; done`,
      ],
      { stdio: 'ignore', detached: true },
    )
    const workspace = new LocalWorkspace(root.path)
    let written = 0
    try {
      for (let i = 0; i < 1000; i++) {
        await workspace.writeText('target.txt', 'OVERWRITE').then(
          () => written++,
          () => undefined,
        )
      }
    } finally {
      process.kill(-(swapper.pid as number), 'SIGKILL')
    }
    expect(existsSync(victim)).toBe(false)
    expect(written).toBeGreaterThan(0)
    root.remove()
    outside.remove()
  })
})
