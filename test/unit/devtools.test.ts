import { describe, expect, it } from 'vitest'
import { parseStatus } from '../../src/devtools/git.js'
import { DevtoolError, runProcess } from '../../src/devtools/process.js'
import { parsePyright } from '../../src/devtools/pyright.js'
import { parseJunit } from '../../src/devtools/pytest.js'

describe('developer tool failures are typed errors, never hangs', () => {
  const opts = { cwd: process.cwd(), timeoutMs: 5000, tool: 'demo', installHint: 'install demo' }

  it('reports a missing program with the install hint', async () => {
    await expect(runProcess('/no/such/devtool', [], opts)).rejects.toMatchObject({
      name: 'DevtoolError',
      failure: 'missing',
      message: expect.stringContaining('install demo'),
    })
  })

  // A hang would fail this test on the runner's own timeout.
  it('stops a program that runs past its timeout, with its children', async () => {
    await expect(
      runProcess('/bin/sh', ['-c', 'sleep 30 & sleep 30'], { ...opts, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      failure: 'timeout',
    })
  })

  it('reads garbage from pyright as bad output, not a crash', () => {
    expect(() => parsePyright('Segmentation fault', '/ws', 'core dumped')).toThrow(DevtoolError)
    expect(() => parsePyright('{"version": "1"}', '/ws')).toThrow(/without diagnostics/)
  })

  it('reads garbage from pytest as bad output', () => {
    expect(() => parseJunit('<testsuites><testsuite><testcase name="a"></testsuite>')).toThrow(DevtoolError)
  })
})

describe('parsers', () => {
  it('reads pyright JSON with 1-based positions relative to the root', () => {
    const out = parsePyright(
      JSON.stringify({
        generalDiagnostics: [
          {
            file: '/ws/a.py',
            severity: 'error',
            message: 'bad',
            rule: 'reportX',
            range: { start: { line: 0, character: 4 } },
          },
          {
            file: '/ws/b.py',
            severity: 'warning',
            message: 'meh',
            range: { start: { line: 9, character: 0 } },
          },
        ],
        summary: { filesAnalyzed: 2, errorCount: 1, warningCount: 1 },
      }),
      '/ws',
    )
    expect(out).toMatchObject({ success: false, files_checked: 2, error_count: 1, warning_count: 1 })
    expect(out.errors[0]).toEqual({
      file: 'a.py',
      line: 1,
      column: 5,
      severity: 'error',
      rule: 'reportX',
      message: 'bad',
    })
  })

  it('reads JUnit XML outcomes, messages and durations', () => {
    const run = parseJunit(`<?xml version="1.0"?><testsuites><testsuite time="0.5">
      <testcase classname="t" name="ok" time="0.1"/>
      <testcase classname="t" name="bad" time="0.2"><failure message="assert 1 == 2">trace</failure></testcase>
      <testcase classname="t" name="skip" time="0"><skipped message="not today"/></testcase>
      <testcase classname="t" name="err" time="0"><error message="boom &amp; bust"/></testcase>
    </testsuite></testsuites>`)
    expect(run).toMatchObject({ success: false, passed: 1, failed: 1, skipped: 1, errors: 1, duration: 0.5 })
    expect(run.tests.map((t) => [t.name, t.outcome, t.message])).toEqual([
      ['t.py::ok', 'passed', null],
      ['t.py::bad', 'failed', 'assert 1 == 2'],
      ['t.py::skip', 'skipped', 'not today'],
      ['t.py::err', 'error', 'boom & bust'],
    ])
  })

  it('rebuilds pytest node ids from xunit1 reports and decodes numeric entities', () => {
    const run = parseJunit(
      `<?xml version="1.0"?><testsuites><testsuite time="0.1">
      <testcase classname="tests.test_x.TestA" name="test_b" file="tests/test_x.py" time="0"><failure message="assert 1&#10;  where &lt;x&gt;">t</failure></testcase>
      <testcase classname="tests.test_x" name="test_p[1.5-a b]" file="tests/test_x.py" time="0"/>
      <testcase classname="tests.test_child.TestChild" name="test_x" file="tests/base.py" time="0"/>
      <testcase classname="" name="tests.test_bad" file="tests/test_bad.py" time="0"><error message="collection failure">ImportError while importing test module '/w/tests/test_bad.py'.
Traceback:
tests/test_bad.py:1: in &lt;module&gt;
    import nope
E   ModuleNotFoundError: No module named 'nope'</error></testcase>
    </testsuite></testsuites>`,
      '/w',
    )
    expect(run.tests.map((t) => [t.name, t.message])).toEqual([
      ['tests/test_x.py::TestA::test_b', 'assert 1\n  where <x>'],
      ['tests/test_x.py::test_p[1.5-a b]', null],
      ['tests/test_child.py::TestChild::test_x', null],
      [
        'tests/test_bad.py',
        "ImportError while importing test module 'tests/test_bad.py'.\nModuleNotFoundError: No module named 'nope'",
      ],
    ])
  })

  it('reads porcelain v2 status, renames included', () => {
    const status = parseStatus(
      [
        '# branch.oid abc',
        '# branch.head main',
        '# branch.upstream origin/main',
        '# branch.ab +2 -1',
        '1 .M N... 100644 100644 100644 a a a.txt',
        '2 R. N... 100644 100644 100644 a a R100 new.txt',
        'old.txt',
        '? x.txt',
        '',
      ].join('\0'),
    )
    expect(status).toMatchObject({
      branch: 'main',
      upstream: 'origin/main',
      ahead: 2,
      behind: 1,
      clean: false,
    })
    expect(status.files).toEqual([
      { path: 'a.txt', staged: '.', unstaged: 'M' },
      { path: 'new.txt', staged: 'R', unstaged: '.', originalPath: 'old.txt' },
      { path: 'x.txt', staged: '?', unstaged: '?' },
    ])
  })
})
