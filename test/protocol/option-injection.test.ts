// A value the model gives a tool that builds a command line is never read as an option: every attempt here goes
// through the real tool (pytest, git, ruff, pyright), is refused with a message the model can read, and leaves
// the files outside the workspace as they were.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { needs } from '../helpers/needs.js'
import { makeTempDir } from '../helpers/temp.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const REFUSED =
  /starts with "-" and would be read as an option|is not a git revision|is not a pytest expression|reads arguments from the file/
let refused = 0

afterAll(() => {
  if (refused) console.info(`option-injection attempts refused: ${refused}`)
})

describe('no option injection', () => {
  const f = useProtocolFixture()

  async function attempt(sessionId: string, tool: string, args: Record<string, unknown>) {
    const run = await runTool(f, sessionId, tool, args)
    expect(run.result, `${tool} ${JSON.stringify(args)}`).toMatch(REFUSED)
    refused++
    return run
  }

  needs('pytest').it(
    'run_tests refuses options as its path or -k expression',
    { timeout: 60_000 },
    async () => {
      const outside = makeTempDir('punie-outside-')
      try {
        const basetemp = join(outside.path, 'basetemp')
        mkdirSync(basetemp)
        writeFileSync(join(basetemp, 'canary.txt'), 'still here')
        const log = join(outside.path, 'log.txt')
        writeFileSync(log, 'keep me')
        mkdirSync(join(f.workspace, 'tests'))
        writeFileSync(
          join(f.workspace, 'tests', 'test_tmp.py'),
          'def test_tmp(tmp_path):\n    assert tmp_path\n',
        )
        const sessionId = await f.session()
        await setMode(f, sessionId, 'yolo')

        await attempt(sessionId, 'run_tests', { path: `--basetemp=${basetemp}` })
        await attempt(sessionId, 'run_tests', { path: `--log-file=${log}` })
        await attempt(sessionId, 'run_tests', { path: `tests/../--basetemp=${basetemp}` })
        await attempt(sessionId, 'run_tests', { k: `--basetemp=${basetemp}` })
        await attempt(sessionId, 'run_tests', { k: 'tmp or -p no:python' })
        await attempt(sessionId, 'run_tests', { k: 'tmp) or (x' })
        await attempt(sessionId, 'run_tests', { path: 'tests', k: `tmp --basetemp=${basetemp}` })
        // pytest reads arguments from a file named after "@", even after `--`: a path the user reads as a file.
        writeFileSync(join(f.workspace, 'args.txt'), `--basetemp=${basetemp}\n`)
        await attempt(sessionId, 'run_tests', { path: '@args.txt' })
        await attempt(sessionId, 'run_tests', { path: '@args.txt::test_tmp' })

        expect(readFileSync(join(basetemp, 'canary.txt'), 'utf8')).toBe('still here')
        expect(readFileSync(log, 'utf8')).toBe('keep me')
        // The same tools still run what is valid.
        const ok = await runTool(f, sessionId, 'run_tests', {
          path: 'tests/test_tmp.py',
          k: 'tmp and not slow',
        })
        expect(ok.result).toMatch(/^1 passed, 0 failed/)
      } finally {
        outside.remove()
      }
    },
  )

  needs('git').it('git_diff and git_log refuse options as a ref or path', async () => {
    const outside = makeTempDir('punie-outside-')
    try {
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada',
        GIT_AUTHOR_EMAIL: 'a@x',
        GIT_COMMITTER_NAME: 'Ada',
        GIT_COMMITTER_EMAIL: 'a@x',
      }
      const git = (...args: string[]) => execFileSync('git', args, { cwd: f.workspace, env })
      git('init', '-q', '-b', 'main')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\n')
      git('add', 'a.txt')
      git('commit', '-q', '-m', 'first')
      writeFileSync(join(f.workspace, 'a.txt'), 'one\ntwo\n')
      const target = join(outside.path, 'x')
      const sessionId = await f.session()
      await setMode(f, sessionId, 'read-only')

      await attempt(sessionId, 'git_diff', { ref: `--output=${target}` })
      await attempt(sessionId, 'git_diff', { ref: `HEAD --output=${target}` })
      await attempt(sessionId, 'git_diff', { path: `--output=${target}` })
      await attempt(sessionId, 'git_diff', { ref: '-p' })
      await attempt(sessionId, 'git_log', { ref: `--output=${target}` })
      await attempt(sessionId, 'git_log', { ref: 'main..--all' })
      await attempt(sessionId, 'git_log', { path: `--output=${target}` })
      expect(existsSync(target)).toBe(false)

      const diff = await runTool(f, sessionId, 'git_diff', { ref: 'HEAD', path: 'a.txt' })
      expect(diff.result).toContain('+two')
      const log = await runTool(f, sessionId, 'git_log', { ref: 'HEAD', path: 'a.txt' })
      expect(log.result).toMatch(/Ada: first$/)
    } finally {
      outside.remove()
    }
  })

  it('lint, format and typecheck refuse options as a path', { timeout: 60_000 }, async () => {
    const outside = makeTempDir('punie-outside-')
    try {
      writeFileSync(join(outside.path, 'ruff.toml'), '[lint]\nselect = ["ALL"]\n')
      writeFileSync(join(f.workspace, 'a.py'), 'import os\n')
      const sessionId = await f.session()
      await setMode(f, sessionId, 'yolo')
      await attempt(sessionId, 'lint', { path: `--config=${join(outside.path, 'ruff.toml')}` })
      await attempt(sessionId, 'format', { path: `--config=${join(outside.path, 'ruff.toml')}` })
      await attempt(sessionId, 'typecheck', { path: `--project=${outside.path}` })
      await attempt(sessionId, 'typecheck', { path: '--outputjson' })
      const lint = await runTool(f, sessionId, 'lint', { path: 'a.py' })
      expect(lint.result).toMatch(/^1 violations in 1 files/)
    } finally {
      outside.remove()
    }
  })
})
