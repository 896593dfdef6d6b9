// Tests that need a program Punie uses but does not ship (git, python3, pytest, mypy, Chromium, the ruff CLI) run
// where it is installed, and where it is not they are skipped with the reason printed. CI installs them and sets
// PUNIE_REQUIRE_TOOLS ("1" for all, or a list such as "git,python3,pytest,mypy,chromium"): there a missing one fails.
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { beforeAll, describe, it } from 'vitest'

export type OptionalProgram = 'git' | 'python3' | 'pytest' | 'mypy' | 'chromium' | 'ruff'

export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const PROGRAMS: Record<OptionalProgram, { present: () => boolean; install: string }> = {
  git: { present: () => onPath('git'), install: 'apt install git' },
  python3: { present: () => onPath('python3'), install: 'apt install python3' },
  // The launchers run_tests tries, in its order (src/devtools/pytest.ts).
  pytest: {
    present: () => onPath('pytest') || onPath('pytest-3') || pythonImports('pytest'),
    install: 'pip install pytest, or apt install python3-pytest',
  },
  mypy: { present: () => onPath('mypy'), install: 'pip install mypy, or apt install mypy' },
  chromium: {
    present: () => executable(chromiumPath()),
    install: 'apt install chromium, or set CHROMIUM_PATH',
  },
  ruff: { present: () => onPath('ruff'), install: 'pip install ruff' },
}

export interface Needed {
  /** Whether every program is there. */
  available: boolean
  /** `it` that runs when the programs are there, and otherwise skips (or fails when they are required). */
  it: TestFn
  /** `describe` likewise. */
  describe: SuiteFn
  /** Inside a test, for a part that needs the programs: true to go on, false (reason printed) to stop there. */
  check(): boolean
}

type TestFn = ReturnType<typeof it.skipIf>
type SuiteFn = ReturnType<typeof describe.skipIf>

const printed = new Set<string>()

export function needs(...programs: OptionalProgram[]): Needed {
  const missing = programs.filter((p) => !PROGRAMS[p].present())
  if (missing.length === 0)
    return { available: true, it: it.skipIf(false), describe: describe.skipIf(false), check: () => true }
  const what = missing.map((p) => `${p} (${PROGRAMS[p].install})`).join(', ')
  if (missing.some(required)) {
    const reason = `${what}: required here (PUNIE_REQUIRE_TOOLS=${process.env.PUNIE_REQUIRE_TOOLS ?? ''}) but not installed`
    const fail = () => {
      throw new Error(reason)
    }
    // Called as it(name, [options], fn): the test is kept, and fails with the reason instead of running.
    const failingIt = ((name: string, ...rest: unknown[]) =>
      it(name, typeof rest[0] === 'object' ? (rest[0] as object) : {}, fail)) as unknown as TestFn
    const failingDescribe = ((name: string, ...rest: unknown[]) =>
      describe(name, () => {
        beforeAll(fail)
        const body = rest.find((r) => typeof r === 'function') as (() => void) | undefined
        body?.()
      })) as unknown as SuiteFn
    return { available: false, it: failingIt, describe: failingDescribe, check: fail as () => boolean }
  }
  const reason = `skipped: needs ${what}, not installed`
  const note = () => {
    if (printed.has(reason)) return
    printed.add(reason)
    console.warn(reason)
  }
  note()
  return {
    available: false,
    it: it.skipIf(true),
    describe: describe.skipIf(true),
    check: () => {
      note()
      return false
    },
  }
}

function required(program: OptionalProgram): boolean {
  const list = process.env.PUNIE_REQUIRE_TOOLS ?? ''
  if (program === 'chromium' && process.env.PUNIE_REQUIRE_BROWSER === '1') return true
  if (list === '1' || list === 'all') return true
  return list
    .split(',')
    .map((p) => p.trim())
    .includes(program)
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command)))
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function pythonImports(module: string): boolean {
  if (!onPath('python3')) return false
  return spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 }).status === 0
}
