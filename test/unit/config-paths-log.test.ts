import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, readConfigFile } from '../../src/config/config-file.js'
import { createFileLogger } from '../../src/log/logger.js'
import { isWithin, resolveInside, resolveRealInside } from '../../src/workspace/paths.js'
import { WorkspaceBoundaryError } from '../../src/workspace/workspace.js'
import { makeTempDir } from '../helpers/temp.js'

describe('config files', () => {
  it('reads nothing from a missing file and names the file and field of a bad one', () => {
    const dir = makeTempDir()
    expect(readConfigFile(join(dir.path, 'none.json'))).toEqual({})
    writeFileSync(join(dir.path, 'bad.json'), '{"temperature": "hot"}')
    expect(() => readConfigFile(join(dir.path, 'bad.json'))).toThrow(
      /bad\.json: field "temperature": expected number/,
    )
    writeFileSync(join(dir.path, 'broken.json'), '{')
    expect(() => readConfigFile(join(dir.path, 'broken.json'))).toThrow(ConfigError)
    writeFileSync(join(dir.path, 'bom.json'), '\uFEFF{"temperature": 0.5}')
    expect(readConfigFile(join(dir.path, 'bom.json'))).toEqual({ temperature: 0.5 })
    writeFileSync(join(dir.path, 'typo.json'), '{"modle": "x"}')
    expect(() => readConfigFile(join(dir.path, 'typo.json'))).toThrow(/modle/)
    dir.remove()
  })

  it("lets the user's file win over the project's, field by field", () => {
    const dir = makeTempDir()
    const project = join(dir.path, 'proj')
    writeFileSync(
      join(dir.path, 'user.json'),
      JSON.stringify({ model: 'ollama:a', trustedProjects: [project] }),
    )
    mkdirSync(join(project, '.punie'), { recursive: true })
    writeFileSync(join(project, '.punie', 'config.json'), '{"model": "ollama:b", "mode": "read-only"}')
    expect(loadConfig(join(dir.path, 'user.json'), project).config).toEqual({
      model: 'ollama:a',
      mode: 'read-only',
      trustedProjects: [project],
    })
    dir.remove()
  })
})

describe('workspace paths', () => {
  it('keeps paths inside the root and refuses the rest', () => {
    expect(resolveInside('/ws', 'src/a.py')).toBe('/ws/src/a.py')
    expect(resolveInside('/ws', './x/../y')).toBe('/ws/y')
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', 'a\0b', '/ws/../ws2/x']) {
      expect(() => resolveInside('/ws', bad)).toThrow(WorkspaceBoundaryError)
    }
    expect(isWithin('/ws', '/ws2')).toBe(false)
    expect(isWithin('/ws', '/ws')).toBe(true)
  })

  it('follows symlinks, also for files that do not exist yet', async () => {
    const root = makeTempDir()
    const outside = makeTempDir()
    symlinkSync(outside.path, join(root.path, 'out'))
    await expect(resolveRealInside(root.path, 'out/new-file.txt')).rejects.toThrow(/through a symlink/)
    await expect(resolveRealInside(root.path, 'sub/new-file.txt')).resolves.toBe(
      join(root.path, 'sub/new-file.txt'),
    )
    root.remove()
    outside.remove()
  })
})

describe('file logger', () => {
  it('writes at or above its level and rotates by size', () => {
    const dir = makeTempDir()
    const logger = createFileLogger({ dir: dir.path, level: 'info', maxBytes: 400, keep: 2 })
    logger.debug('hidden')
    for (let i = 0; i < 20; i++) logger.info('line %d of the log, with some padding to fill it up', i)
    const files = readdirSync(dir.path).sort()
    expect(files).toEqual(['punie.log', 'punie.log.1', 'punie.log.2'])
    const current = readFileSync(join(dir.path, 'punie.log'), 'utf8')
    expect(current).toContain('line 19')
    expect(current).not.toContain('hidden')
    dir.remove()
  })
})
