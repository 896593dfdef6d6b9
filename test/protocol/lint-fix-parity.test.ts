// `lint` fixes the same way with either ruff backend: only safe fixes unless unsafe: true, and `fixable` says
// exactly what `fix` will do. The same expectations run against the bundled WebAssembly ruff and, when it is
// installed, the ruff CLI.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const SOURCE = [
  'import os',
  'import sys',
  '',
  '',
  'def check(x):',
  '    unused = compute()',
  '    if x == None:',
  '        return f"value"',
  '    return sys.argv',
  '',
].join('\n')

// F401 and F541 have safe fixes; F841 (deletes the assignment) and E711 (`is None`) unsafe ones.
const SAFE_FIXED = SOURCE.replace('import os\n', '').replace('f"value"', '"value"')
const ALL_FIXED = SAFE_FIXED.replace('unused = compute()', 'compute()').replace('x == None', 'x is None')

const withRuff = (process.env.PATH ?? '').split(delimiter).filter((dir) => existsSync(join(dir, 'ruff')))
const ruffVersion = withRuff.length
  ? spawnSync('ruff', ['--version'], { encoding: 'utf8' }).stdout.trim()
  : ''
if (!withRuff.length) console.warn('skipping the ruff CLI backend case of lint parity: ruff is not on PATH')

interface Reported {
  code: string | null
  fixable: boolean
}

function violations(run: Awaited<ReturnType<typeof runTool>>): Reported[] {
  const card = run.cards.find((c) => 'rawOutput' in c && c.rawOutput) as
    | { rawOutput: { violations: Reported[] } }
    | undefined
  return (card?.rawOutput.violations ?? []).map(({ code, fixable }) => ({ code, fixable }))
}

const byCode = (list: Reported[]) => [...list].sort((a, b) => String(a.code).localeCompare(String(b.code)))

describe('lint fixes the same way with either ruff backend', () => {
  const f = useProtocolFixture()
  const path = process.env.PATH
  afterEach(() => {
    process.env.PATH = path
  })

  const cases = [
    {
      backend: 'wasm',
      run: true,
      path: () => (path ?? '').split(delimiter).filter((d) => !withRuff.includes(d)),
    },
    {
      backend: `cli (${ruffVersion || 'absent'})`,
      run: withRuff.length > 0,
      path: () => (path ?? '').split(delimiter),
    },
  ]

  for (const backend of cases) {
    it.skipIf(!backend.run)(
      `${backend.backend}: safe fixes only by default, unsafe ones on request`,
      {
        timeout: 60_000,
      },
      async () => {
        process.env.PATH = backend.path().join(delimiter)
        writeFileSync(
          join(f.workspace, 'pyproject.toml'),
          '[tool.ruff.lint]\nselect = ["E711", "F401", "F541", "F841"]\n',
        )
        const file = join(f.workspace, 'check.py')
        writeFileSync(file, SOURCE)
        const sessionId = await f.session()
        await setMode(f, sessionId, 'yolo')

        const report = await runTool(f, sessionId, 'lint', {})
        expect(byCode(violations(report))).toEqual([
          { code: 'E711', fixable: false },
          { code: 'F401', fixable: true },
          { code: 'F541', fixable: true },
          { code: 'F841', fixable: false },
        ])
        const unsafeReport = await runTool(f, sessionId, 'lint', { unsafe: true })
        expect(violations(unsafeReport).every((v) => v.fixable)).toBe(true)

        const fixed = await runTool(f, sessionId, 'lint', { fix: true })
        expect(readFileSync(file, 'utf8')).toBe(SAFE_FIXED)
        // What was reported fixable is gone; what remains is what was not.
        expect(byCode(violations(fixed))).toEqual([
          { code: 'E711', fixable: false },
          { code: 'F841', fixable: false },
        ])

        writeFileSync(file, SOURCE)
        const all = await runTool(f, sessionId, 'lint', { fix: true, unsafe: true })
        expect(readFileSync(file, 'utf8')).toBe(ALL_FIXED)
        expect(violations(all)).toEqual([])
      },
    )
  }
})
