// `punie trust` through the binary: it records, lists and removes a trusted project in the user's config and
// keeps the other settings.
import { spawnSync } from 'node:child_process'
import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/acp-harness.js'
import { makeTempDir } from '../helpers/temp.js'

let home: { path: string; remove: () => void }
let project: { path: string; remove: () => void }
beforeEach(() => {
  home = makeTempDir('punie-user-')
  project = makeTempDir('punie-project-')
})
afterEach(() => {
  home.remove()
  project.remove()
})

const trust = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'trust', ...args], {
    cwd: project.path,
    env: { ...process.env, PUNIE_HOME: home.path },
    encoding: 'utf8',
  })

describe('punie trust', () => {
  it('trusts the current directory, lists it, and removes it, keeping the other settings', () => {
    const config = join(home.path, 'config.json')
    writeFileSync(config, JSON.stringify({ model: 'ollama:qwen3' }))
    const root = realpathSync(project.path)

    expect(trust()).toMatchObject({ status: 0, stdout: expect.stringContaining(`Trusted ${root}`) })
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({
      model: 'ollama:qwen3',
      trustedProjects: [root],
    })
    expect(trust().stdout).toContain('already trusted')
    expect(trust('--list').stdout.trim()).toBe(root)

    expect(trust(project.path, '--remove')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('no longer trusted'),
    })
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ model: 'ollama:qwen3', trustedProjects: [] })
    expect(trust('--list').stdout.trim()).toBe('No trusted projects.')
  })
})
