// The outcome suite's checks judge what they claim to: each case fails on its starting files and passes on a
// correct solution, run through the real scorer in a temp workspace.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scoreCase } from '../../src/eval/scorers.js'
import { loadSuite } from '../../src/eval/suite.js'
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
