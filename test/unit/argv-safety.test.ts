import { describe, expect, it } from 'vitest'
import {
  ArgvError,
  absolutePath,
  gitRevision,
  notAnOption,
  pytestKeywordExpression,
  splitNodeId,
} from '../../src/devtools/argv.js'
import { gitArgv, repositoryFilters } from '../../src/devtools/git-command.js'

describe('argv words the model chose', () => {
  it('refuses a leading "-", NUL and line breaks with a message naming the value', () => {
    expect(() => notAnOption('--basetemp=/x', 'the test path')).toThrow(
      /the test path "--basetemp=\/x" starts with "-" and would be read as an option/,
    )
    expect(() => notAnOption('a\nb', 'path')).toThrow(ArgvError)
    expect(notAnOption('tests/test_a.py', 'path')).toBe('tests/test_a.py')
    expect(() => absolutePath('rel/a.py')).toThrow(/must be absolute/)
  })

  it('accepts revisions and ranges, refuses options and malformed refs', () => {
    for (const ok of [
      'main',
      'HEAD~2',
      'HEAD^',
      'v1.0',
      'origin/main',
      'a1b2c3d',
      'main..topic',
      'main...topic',
      '@{u}',
      'topic@{1}',
      'feature/x-y_z',
    ])
      expect(gitRevision(ok)).toBe(ok)
    for (const bad of [
      '--output=/tmp/x',
      '-p',
      'HEAD --output=x',
      'main..--all',
      'a..b..c',
      '.hidden',
      'a/.b',
      'x.lock',
      'a//b',
      'a/',
      'a:b',
      'a b',
      '',
      'main;rm',
    ])
      expect(() => gitRevision(bad), bad).toThrow(ArgvError)
  })

  it('accepts pytest -k expressions and refuses anything else', () => {
    for (const ok of [
      'discount',
      'not slow',
      'a and (b or not c)',
      'test_p[1-2]',
      'TestA::test_b',
      'x.y/z+w',
      'test_café',
    ])
      expect(pytestKeywordExpression(ok)).toBe(ok)
    for (const bad of [
      '-p evil',
      'a or -p',
      'a and',
      '(a',
      'a)',
      'and a',
      'a b',
      'a;b',
      'a "b"',
      '',
      'a or --x',
    ])
      expect(() => pytestKeywordExpression(bad), bad).toThrow(/is not a pytest expression|starts with "-"/)
  })

  it('splits a node id into the path the workspace checks and the rest', () => {
    expect(splitNodeId('tests/t.py::TestA::test_b[1-2]')).toEqual({
      path: 'tests/t.py',
      rest: '::TestA::test_b[1-2]',
    })
    expect(splitNodeId('tests')).toEqual({ path: 'tests', rest: '' })
    expect(() => splitNodeId('--co')).toThrow(ArgvError)
  })
})

describe('the git argv', () => {
  it('puts the safe options before the subcommand and switches off repository filters', () => {
    const argv = gitArgv(['status'], ['scrub'])
    expect(argv.slice(0, 2)).toEqual(['--no-pager', '--literal-pathspecs'])
    expect(argv.at(-1)).toBe('status')
    for (const setting of [
      'core.fsmonitor=false',
      'core.hooksPath=/dev/null',
      'protocol.allow=never',
      'filter.scrub.clean=',
      'filter.scrub.process=',
      'filter.scrub.required=false',
    ])
      expect(argv[argv.indexOf(setting) - 1], setting).toBe('-c')
  })

  it('takes the filter drivers of local and worktree config, not the user global ones', () => {
    const listing = [
      'local',
      'filter.scrub.clean',
      'global',
      'filter.lfs.process',
      'worktree',
      'filter.a.b.smudge',
      '',
    ].join('\0')
    expect(repositoryFilters(listing)).toEqual(['scrub', 'a.b'])
  })
})
