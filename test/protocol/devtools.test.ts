// Typed developer tools against the real pyright, pytest and git, on projects the tests create.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { needs } from '../helpers/needs.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode, statuses } from './tool-harness.js'

function pythonProject(root: string) {
  mkdirSync(join(root, 'shop'))
  mkdirSync(join(root, 'tests'))
  writeFileSync(join(root, 'shop', '__init__.py'), '')
  writeFileSync(
    join(root, 'shop', 'prices.py'),
    'def total(prices: list[float]) -> float:\n    return sum(prices)\n\n\ndef label(amount: float) -> str:\n    return amount\n',
  )
  writeFileSync(
    join(root, 'shop', 'cart.py'),
    'from shop.prices import total\n\n\ndef checkout(items: list[float]) -> float:\n    return total(items)\n',
  )
  writeFileSync(
    join(root, 'tests', 'test_prices.py'),
    'from shop.prices import total\n\n\ndef test_total():\n    assert total([1.0, 2.0]) == 3.0\n\n\ndef test_total_empty():\n    assert total([]) == 1\n',
  )
  writeFileSync(join(root, 'conftest.py'), '')
}

describe('developer tools', () => {
  const f = useProtocolFixture()

  it('typecheck reports pyright errors with file, line, column and rule', { timeout: 60_000 }, async () => {
    pythonProject(f.workspace)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'typecheck', {})
    expect(run.result).toMatch(/^1 errors, 0 warnings in \d+ files \(pyright\)/)
    expect(run.result).toMatch(
      /shop\/prices\.py:6:12: error \[reportReturnType\]: Type "float" is not assignable to return type "str"/,
    )
    const card = run.cards.find((c) => 'rawOutput' in c && c.rawOutput) as {
      rawOutput: { error_count: number; errors: unknown[] }
    }
    expect(card.rawOutput.error_count).toBe(1)
  })

  it('typecheck on a path that does not exist says so, whichever checker runs', async () => {
    pythonProject(f.workspace)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'typecheck', { path: 'shop/nope.py' })
    expect(statuses(run)).toContain('failed')
    expect(run.result).toMatch(/^Error: no such file: shop\/nope\.py\b.*Check the path/s)
  })

  needs('pytest').it(
    'run_tests runs pytest and returns each outcome, after asking',
    { timeout: 60_000 },
    async () => {
      pythonProject(f.workspace)
      const sessionId = await f.session()
      await setMode(f, sessionId, 'yolo')
      const run = await runTool(f, sessionId, 'run_tests', {})
      expect(run.result).toMatch(/^1 passed, 1 failed, 0 errors, 0 skipped/)
      expect(run.result).toMatch(/FAILED tests\/test_prices\.py::test_total_empty: assert 0 == 1/)
      const only = await runTool(f, sessionId, 'run_tests', { path: 'tests/test_prices.py', k: 'not empty' })
      expect(only.result).toMatch(/^1 passed, 0 failed/)
      const outside = await runTool(f, sessionId, 'run_tests', { path: '../elsewhere' })
      expect(outside.result).toMatch(/outside the workspace/)
    },
  )

  needs('git').it('git_status, git_diff and git_log describe a real repository', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: f.workspace,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Ada',
          GIT_AUTHOR_EMAIL: 'ada@example.com',
          GIT_COMMITTER_NAME: 'Ada',
          GIT_COMMITTER_EMAIL: 'ada@example.com',
        },
      })
    const sessionId = await f.session()
    const notRepo = await runTool(f, sessionId, 'git_status', {})
    expect(notRepo.result).toMatch(/not inside a git repository/)

    git('init', '-q', '-b', 'main')
    writeFileSync(join(f.workspace, 'a.txt'), 'one\n')
    git('add', 'a.txt')
    git('commit', '-q', '-m', 'first commit')
    writeFileSync(join(f.workspace, 'a.txt'), 'one\ntwo\n')
    writeFileSync(join(f.workspace, 'new.txt'), 'new\n')
    writeFileSync(join(f.workspace, 'staged.txt'), 's\n')
    git('add', 'staged.txt')

    const status = await runTool(f, sessionId, 'git_status', {})
    expect(status.result.split('\n')).toEqual(['On main', '.M a.txt', 'A. staged.txt', '?? new.txt'])
    const diff = await runTool(f, sessionId, 'git_diff', {})
    expect(diff.result).toContain('+two')
    expect(diff.result).not.toContain('staged.txt')
    const staged = await runTool(f, sessionId, 'git_diff', { staged: true })
    expect(staged.result).toContain('+s')
    const log = await runTool(f, sessionId, 'git_log', { n: 5 })
    expect(log.result).toMatch(/^[0-9a-f]{10} \d{4}-\d{2}-\d{2} Ada: first commit$/)
  })
})

describe('lint and format with ruff', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const messy =
    'import os\nimport sys\n\n\ndef check(x):\n    if x == None:\n        return   1\n    return sys.argv\n'

  it('lints with the project settings and reports each violation with its code', async () => {
    writeFileSync(join(f.workspace, 'pyproject.toml'), '[tool.ruff.lint]\nselect = ["F401"]\n')
    writeFileSync(join(f.workspace, 'messy.py'), messy)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'lint', {})
    expect(run.result).toBe('1 violations in 1 files\nmessy.py:1:8: F401 `os` imported but unused [fixable]')
  })

  it('applies fixes and formatting as edits that ask permission and show their diff', async () => {
    writeFileSync(join(f.workspace, 'messy.py'), messy)
    const sessionId = await f.session()
    f.acp.ide?.answerPermissions('allow_once', 'allow_once')
    const fixed = await runTool(f, sessionId, 'lint', { path: 'messy.py', fix: true })
    expect(fixed.result).toBe('0 violations in 1 files; fixed messy.py (+0 -1)')
    expect(readFileSync(join(f.workspace, 'messy.py'), 'utf8')).not.toContain('import os')
    expect(f.acp.ide?.permissionRequests[0]?.toolCall).toMatchObject({
      title: 'Fix lint in messy.py',
      kind: 'edit',
      content: [{ type: 'diff', path: join(f.workspace, 'messy.py'), oldText: messy }],
    })

    const formatted = await runTool(f, sessionId, 'format', { path: 'messy.py' })
    expect(formatted.result).toBe('Formatted messy.py (+1 -1) (1 checked)')
    expect(readFileSync(join(f.workspace, 'messy.py'), 'utf8')).toContain('        return 1\n')
    // Nothing to write, nothing to ask.
    const again = await runTool(f, sessionId, 'format', {})
    expect(again.result).toBe('All 1 files already formatted.')
    const clean = await runTool(f, sessionId, 'lint', { fix: true })
    expect(clean.result).toBe('0 violations in 1 files')
    expect(f.acp.ide?.permissionRequests).toHaveLength(2)
  })

  it('leaves the file alone when the fix is rejected', async () => {
    writeFileSync(join(f.workspace, 'messy.py'), messy)
    const sessionId = await f.session()
    f.acp.ide?.answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'lint', { fix: true })
    expect(run.result).toMatch(/^Error: the user rejected Fix lint in the project/)
    expect(readFileSync(join(f.workspace, 'messy.py'), 'utf8')).toBe(messy)
  })
})

describe('typecheck with the checker the project uses', () => {
  const f = useProtocolFixture()

  needs('mypy').it('runs mypy when pyproject.toml configures it', { timeout: 60_000 }, async () => {
    pythonProject(f.workspace)
    writeFileSync(join(f.workspace, 'pyproject.toml'), '[tool.mypy]\nignore_missing_imports = true\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'typecheck', { path: 'shop' })
    expect(run.result).toMatch(/^1 errors, 0 warnings in 1 files \(mypy\)/)
    expect(run.result).toMatch(
      /shop\/prices\.py:6:12: error \[return-value\]: Incompatible return value type/,
    )
  })

  it('explains a configured checker that is not installed', async () => {
    pythonProject(f.workspace)
    f.writeConfig({ typechecker: 'ty' })
    await f.restart()
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'typecheck', {})
    expect(run.result).toMatch(/ty is not installed .*install ty, or set "typechecker" to pyright/)
  })
})
