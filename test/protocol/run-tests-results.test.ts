import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { needs } from '../helpers/needs.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

interface Outcome {
  name: string
  outcome: string
  message: string | null
}

function outcomes(run: Awaited<ReturnType<typeof runTool>>): Outcome[] {
  const card = run.cards.find((c) => 'rawOutput' in c && c.rawOutput) as
    | { rawOutput: { tests: Outcome[] } }
    | undefined
  return card?.rawOutput.tests ?? []
}

function invoiceProject(root: string) {
  mkdirSync(join(root, 'tests'))
  // A test inherited from a module pytest does not collect: JUnit names its defining file, not its node's.
  writeFileSync(
    join(root, 'tests', 'base.py'),
    'class Base:\n    def test_inherited(self):\n        assert False\n',
  )
  writeFileSync(
    join(root, 'tests', 'test_child.py'),
    'from base import Base\n\n\nclass TestChild(Base):\n    pass\n',
  )
  writeFileSync(
    join(root, 'tests', 'test_invoice.py'),
    [
      'import pytest',
      '',
      'def apply_discount(total, rate):',
      '    return total - rate',
      '',
      'def test_apply_discount():',
      '    assert apply_discount(100, 0.1) == 90, "discount <&> wrong\\nsecond line"',
      '',
      'def test_total():',
      '    assert 1 + 1 == 2',
      '',
      'class TestRounding:',
      '    def test_half(self):',
      '        assert round(0.5) == 1',
      '',
      '    def test_ok(self):',
      '        pass',
      '',
      '@pytest.mark.parametrize("a,b", [(1, 2), (2, 2)])',
      'def test_pair(a, b):',
      '    assert a == b',
      '',
    ].join('\n'),
  )
}

needs('pytest').describe('run_tests results are actionable', () => {
  const f = useProtocolFixture()

  it('names each test by its pytest node id, and a failing id passed back runs exactly that test', {
    timeout: 60_000,
  }, async () => {
    invoiceProject(f.workspace)
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const run = await runTool(f, sessionId, 'run_tests', {})
    expect(run.result).toMatch(/^3 passed, 4 failed, 0 errors, 0 skipped/)
    const tests = outcomes(run)
    expect(tests.map((t) => [t.name, t.outcome])).toEqual([
      ['tests/test_child.py::TestChild::test_inherited', 'failed'],
      ['tests/test_invoice.py::test_apply_discount', 'failed'],
      ['tests/test_invoice.py::test_total', 'passed'],
      ['tests/test_invoice.py::TestRounding::test_half', 'failed'],
      ['tests/test_invoice.py::TestRounding::test_ok', 'passed'],
      ['tests/test_invoice.py::test_pair[1-2]', 'failed'],
      ['tests/test_invoice.py::test_pair[2-2]', 'passed'],
    ])
    const discount = tests[1] as Outcome
    expect(discount.message).toMatch(/^AssertionError: discount <&> wrong\n\s*second line\nassert 99.9 == 90/)
    expect(discount.message).not.toMatch(/&#\d+;|&lt;|&amp;/)

    for (const failing of tests.filter((t) => t.outcome === 'failed')) {
      const again = await runTool(f, sessionId, 'run_tests', { path: failing.name })
      expect(again.result).toMatch(/^0 passed, 1 failed, 0 errors, 0 skipped/)
      expect(outcomes(again).map((t) => t.name)).toEqual([failing.name])
    }
  })

  it('reports a collection error with its cause and file, not just "collection failure"', {
    timeout: 60_000,
  }, async () => {
    mkdirSync(join(f.workspace, 'tests'))
    writeFileSync(join(f.workspace, 'tests', 'test_imports.py'), 'import invoice_module_missing\n')
    writeFileSync(join(f.workspace, 'tests', 'test_syntax.py'), 'def broken(:\n    pass\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const run = await runTool(f, sessionId, 'run_tests', {})
    expect(run.result).toMatch(/^0 passed, 0 failed, 2 errors/)
    const [imports, syntax] = outcomes(run)
    expect(imports?.name).toBe('tests/test_imports.py')
    expect(imports?.message).toContain("No module named 'invoice_module_missing'")
    expect(imports?.message).toContain('tests/test_imports.py')
    expect(syntax?.name).toBe('tests/test_syntax.py')
    expect(syntax?.message).toMatch(/SyntaxError/)
    expect(syntax?.message).toContain('tests/test_syntax.py", line 1')
    expect(run.result).toMatch(/ERROR tests\/test_imports\.py: .*No module named 'invoice_module_missing'/s)
  })
})
