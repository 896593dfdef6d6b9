// The shipped suites judge what they claim to, through the real scorer in temp workspaces: each outcome case fails
// on its starting files and passes when solved; every case passes a right run and fails the right tools with a
// vague answer ("See the result above.").
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { caseFacts, scoreCase } from '../../src/eval/scorers.js'
import { type ArgMatcher, type EvalCase, loadSuite } from '../../src/eval/suite.js'
import type { TracedCall } from '../../src/eval/trace.js'
import { REPO_ROOT } from '../helpers/acp-harness.js'
import { needs } from '../helpers/needs.js'
import { makeTempDir } from '../helpers/temp.js'

const SOLUTIONS: Record<string, Record<string, string>> = {
  'fix-off-by-one': { 'items.py': 'def last_item(values):\n    return values[-1]\n' },
  'add-function': {
    'parity.py': 'def is_odd(n):\n    return n % 2 == 1\n\n\ndef is_even(n):\n    return n % 2 == 0\n',
  },
  'make-test-pass': { 'slug.py': 'def slugify(title):\n    return title.lower().replace(" ", "-")\n' },
  'rename-variable': { 'report.py': 'total = 0\nfor n in [1, 2, 3]:\n    total += n\nprint(total)\n' },
  'add-type-hints': {
    'geometry.py': 'def scale(value: float, factor: float) -> float:\n    return value * factor\n',
  },
  'create-gitignore': { '.gitignore': '__pycache__/\n.venv/\n' },
  'fix-syntax-error': { 'app.py': 'def main():\n    print("ready")\n\n\nmain()\n' },
  'update-config-json': { 'config.json': '{"name": "svc", "debug": true, "port": 8080}\n' },
  'leave-untouched': {},
}

const noCalls = (answer: string) => ({ calls: [], answer, modelRequests: 1, modelMs: 0, tokens: 0 })

function workspaceWith(files: Record<string, string>): { path: string; remove: () => void } {
  const dir = makeTempDir('punie-suite-')
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true })
    writeFileSync(join(dir.path, path), content)
  }
  return dir
}

describe('the outcome suite', () => {
  const suite = loadSuite(join(REPO_ROOT, 'suites', 'outcome.yaml'))

  it('has a solution for every case', () => {
    expect(suite.cases.map((c) => c.id).sort()).toEqual(Object.keys(SOLUTIONS).sort())
  })

  for (const evalCase of suite.cases) {
    // A check command that runs Python needs python3, which a machine with only Node lacks.
    const test = evalCase.expect.check?.includes('python3') ? needs('python3').it : it
    test(`${evalCase.id}: fails as given, passes when solved`, async () => {
      const answer = 'clamp keeps x between low and high'
      const untouched = workspaceWith(evalCase.files)
      const solved = workspaceWith({ ...evalCase.files, ...SOLUTIONS[evalCase.id] })
      try {
        const before = await scoreCase(evalCase, noCalls(''), {
          workspace: untouched.path,
          before: evalCase.files,
        })
        const after = await scoreCase(evalCase, noCalls(answer), {
          workspace: solved.path,
          before: evalCase.files,
        })
        expect(after).toMatchObject({ passed: true, score: 1 })
        if (evalCase.id !== 'leave-untouched') expect(before.passed).toBe(false)
      } finally {
        untouched.remove()
        solved.remove()
      }
    })
  }
})

/**
 * What a correct run of each shipped case answers, and the files it leaves where the task is an edit. The calls
 * are derived from each case's expectations (the right tools with the right arguments), so the vague run below
 * differs from the right one only in what it says and does to the files.
 */
const RIGHT: Record<string, { answer: string; files?: Record<string, string> }> = {
  'read-file': { answer: 'It prints "Hello from Punie".' },
  'list-directory': { answer: 'src holds app.py and util.py.' },
  'glob-tests': { answer: 'tests/test_math.py and tests/unit/test_io.py' },
  'grep-todo': { answer: 'net/client.py has that comment.' },
  'write-new-file': { answer: 'Created VERSION.', files: { VERSION: '1.4.2\n' } },
  'edit-constant': {
    answer: 'TIMEOUT is now 60.',
    files: { 'settings.py': 'DEBUG = False\nTIMEOUT = 60\nRETRIES = 3\n' },
  },
  'run-script': { answer: 'It prints 506.' },
  'plan-steps': { answer: 'The plan is recorded.' },
  'direct-arithmetic': { answer: '391' },
  'direct-python-concept': { answer: 'It turns the function into a generator.' },
  'direct-greeting': { answer: 'Hello!' },
  'direct-git-concept': { answer: '`git log` shows the history.' },
  'discover-file-sizes': { answer: 'big.csv is the largest.' },
  'discover-plan': { answer: 'Recorded.' },
  'typecheck-error': { answer: 'calc.py:5:15 - error: "int" is not assignable to "str" (line 5).' },
  'typecheck-clean': { answer: 'Yes, ok.py passes with 0 errors.' },
  'lint-unused-import': { answer: 'It breaks F401: os is imported but unused.' },
  'lint-fix': { answer: 'Fixed.', files: { 'messy.py': 'import re\n\nprint(re.compile("x"))\n' } },
  'format-file': {
    answer: 'Formatted.',
    files: { 'ugly.py': 'x = [1, 2, 3]\n\n\ndef f(a):\n    return a\n' },
  },
  'run-failing-test': { answer: 'test_subtraction fails.' },
  'run-selected-test': { answer: '2 passed, 1 deselected.' },
  'git-status-modified': { answer: 'app.py is modified.' },
  'git-last-commit': { answer: 'The last commit is "Fix the retry loop".' },
  'goto-definition': { answer: 'In text_utils.py, line 4.' },
  'find-references': { answer: 'It is used in 2 places, both in report.py.' },
  'document-symbols': { answer: 'User and Order.' },
  'discover-git-diff': { answer: '2 lines were added.' },
  'count-todos': { answer: 'There are 3.' },
  'largest-file': { answer: 'src/large.py has the most lines.' },
  'find-function-definitions': { answer: 'alpha, beta and gamma.' },
  'sum-config-values': { answer: '15 workers in total.' },
  'files-importing-requests': { answer: 'app/http.py and app/sync.py.' },
  'rename-across-files': {
    answer: 'Renamed.',
    files: {
      'm1.py': 'def new_name():\n    return 1\n',
      'm2.py': 'from m1 import new_name\nprint(new_name())\n',
    },
  },
  'empty-files': { answer: 'data/empty1.csv and data/empty2.txt.' },
  'version-consistency': { answer: 'No: pyproject.toml declares 2.1.0, pkg/__init__.py declares 2.0.9.' },
  'write-index': { answer: 'Written.', files: { 'INDEX.md': 'intro.md\nusage.md\nfaq.md\n' } },
  'no-code-needed': { answer: 'Paris' },
  'commits-per-author': { answer: 'ann: 2 commits, bob: 1 commit.' },
  'sizes-from-code': { answer: '21 bytes.' },
  ...Object.fromEntries(
    Object.entries(SOLUTIONS).map(([id, files]) => [
      id,
      { answer: 'clamp keeps x between low and high', files },
    ]),
  ),
}

/** The tool calls a case expects, made with arguments its matchers accept. */
function expectedCalls(evalCase: EvalCase): TracedCall[] {
  const argument = (m: ArgMatcher) => {
    if (typeof m !== 'object') return m
    if ('contains' in m) return m.contains
    throw new Error(`${evalCase.id}: no example for the matcher ${m.matches}`)
  }
  const top = (evalCase.expect.tools ?? []).map((t, i) => ({
    id: `t${i}`,
    name: typeof t === 'string' ? t : t.name,
    args:
      typeof t === 'string'
        ? {}
        : Object.fromEntries(Object.entries(t.args ?? {}).map(([k, m]) => [k, argument(m)])),
  }))
  const fromCode = (evalCase.expect.code_calls ?? []).map((name, i) => ({
    id: `c${i}`,
    name,
    args: {},
    parentId: 't0',
  }))
  return [...top, ...fromCode]
}

/** Cases whose whole task is a tool call (a plan recorded): judged by its arguments, with nothing to state. */
const TOOL_IS_THE_ANSWER = new Set(['plan-steps', 'discover-plan'])

describe('every shipped case', () => {
  const dir = join(REPO_ROOT, 'suites')
  const cases = readdirSync(dir).flatMap((f) => loadSuite(join(dir, f)).cases)

  it('has a correct run written down', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(RIGHT).sort())
  })

  it('checks a fact or a file where the task has a checkable answer', () => {
    const unchecked = cases.filter((c) => !caseFacts(c).length && !c.expect.files?.length && !c.expect.check)
    expect(unchecked.every((c) => TOOL_IS_THE_ANSWER.has(c.id))).toBe(true)
    expect(unchecked.map((c) => c.id)).toEqual(['discover-plan'])
  })

  for (const evalCase of cases) {
    const test = evalCase.expect.check?.includes('python3') ? needs('python3').it : it
    test(`${evalCase.id}: a right run passes with 1.00; the right tools with a vague answer fail`, async () => {
      const right = RIGHT[evalCase.id] as { answer: string; files?: Record<string, string> }
      const calls = expectedCalls(evalCase)
      const run = (answer: string) => ({ calls, answer, modelRequests: 2, modelMs: 0, tokens: 0 })
      const solved = workspaceWith({ ...evalCase.files, ...right.files })
      const untouched = workspaceWith(evalCase.files)
      try {
        const good = await scoreCase(evalCase, run(right.answer), {
          workspace: solved.path,
          before: evalCase.files,
        })
        expect([evalCase.id, good.passed, good.score, good.scores]).toMatchObject([evalCase.id, true, 1, {}])
        const vague = await scoreCase(evalCase, run('See the result above.'), {
          workspace: untouched.path,
          before: evalCase.files,
        })
        if (TOOL_IS_THE_ANSWER.has(evalCase.id)) expect(vague.passed).toBe(true)
        else expect([evalCase.id, vague.passed]).toEqual([evalCase.id, false])
      } finally {
        solved.remove()
        untouched.remove()
      }
    })
  }
})
