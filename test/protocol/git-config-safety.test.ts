// A repository's configuration never runs a program when Punie runs git for itself: fsmonitor, textconv,
// external diff, clean filters, pager and gpg are all set by a hostile .git/config here, and each would
// touch a marker file. The real git tools run in read-only mode, return correct results, and no marker appears.
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { needs } from '../helpers/needs.js'
import { makeTempDir } from '../helpers/temp.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
}

/** A script that leaves `markers/<name>` behind when it runs, then behaves like `cat`. */
function trap(dir: string, markers: string, name: string): string {
  const path = join(dir, `${name}.sh`)
  writeFileSync(path, `#!/bin/sh\ntouch "${join(markers, name)}"\ncat\n`)
  chmodSync(path, 0o755)
  return path
}

needs('git').describe('repository config runs no program', () => {
  const f = useProtocolFixture()

  let saved: Record<string, string | undefined> = {}

  it('git_status, git_diff and git_log run no fsmonitor, textconv, diff driver, filter, pager or gpg', async () => {
    const outside = makeTempDir('punie-traps-')
    const markers = join(outside.path, 'markers')
    execFileSync('mkdir', [markers])
    try {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: f.workspace, env: ENV })
      git('init', '-q', '-b', 'main')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\n')
      writeFileSync(join(f.workspace, 'b.bin'), 'bin one\n')
      writeFileSync(join(f.workspace, '.gitattributes'), '*.txt diff=conv filter=scrub\n*.bin diff=ext\n')
      git('add', '.')
      git('commit', '-q', '-m', 'first commit')

      const set = (key: string, name: string) => git('config', key, trap(outside.path, markers, name))
      set('core.fsmonitor', 'fsmonitor')
      set('diff.conv.textconv', 'textconv')
      set('diff.ext.command', 'ext-diff')
      set('diff.external', 'diff-external')
      set('filter.scrub.clean', 'filter-clean')
      set('filter.scrub.smudge', 'filter-smudge')
      set('core.pager', 'pager')
      set('gpg.program', 'gpg')
      git('config', 'log.showSignature', 'true')
      git('config', 'filter.scrub.required', 'true')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\ntwo\n')
      writeFileSync(join(f.workspace, 'b.bin'), 'bin two\n')

      // Punie's own environment may name programs too; git must not take them from there.
      saved = { GIT_EXTERNAL_DIFF: process.env.GIT_EXTERNAL_DIFF, GIT_PAGER: process.env.GIT_PAGER }
      process.env.GIT_EXTERNAL_DIFF = trap(outside.path, markers, 'env-external-diff')
      process.env.GIT_PAGER = trap(outside.path, markers, 'env-pager')
      const sessionId = await f.session()
      await setMode(f, sessionId, 'read-only')
      const status = await runTool(f, sessionId, 'git_status', {})
      expect(status.result.split('\n')).toEqual(['On main', '.M a.txt', '.M b.bin'])
      const diff = await runTool(f, sessionId, 'git_diff', {})
      expect(diff.result).toContain('+two')
      expect(diff.result).toContain('+bin two')
      const staged = await runTool(f, sessionId, 'git_diff', { staged: true })
      expect(staged.result).toBe('No changes.')
      const log = await runTool(f, sessionId, 'git_log', {})
      expect(log.result).toMatch(/^[0-9a-f]{10} \d{4}-\d{2}-\d{2} Ada: first commit$/)
      expect(readdirSync(markers)).toEqual([])
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      outside.remove()
    }
  })

  it('a filter the repository defines stays off for a path, a ref and the log of a path', async () => {
    const outside = makeTempDir('punie-traps-')
    const markers = join(outside.path, 'markers')
    execFileSync('mkdir', [markers])
    try {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: f.workspace, env: ENV })
      git('init', '-q', '-b', 'main')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\n')
      writeFileSync(join(f.workspace, '.gitattributes'), '*.txt filter=lfsish\n')
      git('add', '.')
      git('commit', '-q', '-m', 'first commit')
      git('config', 'filter.lfsish.process', trap(outside.path, markers, 'filter-process'))
      writeFileSync(join(f.workspace, 'a.txt'), 'one\nthree\n')

      const sessionId = await f.session()
      await setMode(f, sessionId, 'read-only')
      const diff = await runTool(f, sessionId, 'git_diff', { ref: 'HEAD', path: 'a.txt' })
      expect(diff.result).toContain('+three')
      const log = await runTool(f, sessionId, 'git_log', { ref: 'main', path: 'a.txt' })
      expect(log.result).toMatch(/Ada: first commit$/)
      expect(existsSync(join(markers, 'filter-process'))).toBe(false)
    } finally {
      outside.remove()
    }
  })

  it('a core.worktree the repository sets does not show files outside the workspace', async () => {
    const outside = makeTempDir('punie-elsewhere-')
    try {
      writeFileSync(join(outside.path, 'secret.txt'), 'outside secret\n')
      const git = (...args: string[]) => execFileSync('git', args, { cwd: f.workspace, env: ENV })
      git('init', '-q', '-b', 'main')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\n')
      git('add', 'a.txt')
      git('commit', '-q', '-m', 'first commit')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\ntwo\n')
      git('config', 'core.worktree', outside.path)
      const sessionId = await f.session()
      await setMode(f, sessionId, 'read-only')
      const status = await runTool(f, sessionId, 'git_status', {})
      expect(status.result.split('\n')).toEqual(['On main', '.M a.txt'])
      const diff = await runTool(f, sessionId, 'git_diff', {})
      expect(diff.result).toContain('+two')
      expect(diff.result).not.toContain('secret')
    } finally {
      outside.remove()
    }
  })
})
