// Running tests with pytest and reading its JUnit XML report as a typed result.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { DevtoolError, type ProcessResult, runProcess, stderrTail } from './process.js'

export interface TestCase {
  name: string
  outcome: 'passed' | 'failed' | 'error' | 'skipped'
  duration: number
  message: string | null
}

export interface TestRunResult {
  success: boolean
  passed: number
  failed: number
  errors: number
  skipped: number
  duration: number
  tests: TestCase[]
  output: string
}

const INSTALL_HINT = 'install pytest (pip install pytest, or apt install python3-pytest)'
// The first of these that exists runs the tests.
const LAUNCHERS: readonly [string, string[]][] = [
  ['pytest', []],
  ['pytest-3', []],
  ['python3', ['-m', 'pytest']],
]

export async function runTests(
  root: string,
  options: { path?: string; k?: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<TestRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'punie-pytest-'))
  const report = join(dir, 'junit.xml')
  const args = [
    '-q',
    '-p',
    'no:cacheprovider',
    `--junitxml=${report}`,
    ...(options.k ? ['-k', options.k] : []),
    ...(options.path ? [options.path] : []),
  ]
  try {
    const result = await launch(root, args, options)
    if (result.exitCode === 5) return { ...emptyRun(), output: tail(result.stdout) }
    let xml: string
    try {
      xml = await readFile(report, 'utf8')
    } catch {
      throw new DevtoolError(
        'pytest',
        'crashed',
        `pytest wrote no report (exit ${result.exitCode}): ${stderrTail(result.stderr || result.stdout)}`,
      )
    }
    return { ...parseJunit(xml), output: tail(result.stdout) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function launch(
  root: string,
  args: string[],
  options: { timeoutMs?: number; signal?: AbortSignal },
): Promise<ProcessResult> {
  for (const [command, prefix] of LAUNCHERS) {
    try {
      const result = await runProcess(command, [...prefix, ...args], {
        cwd: root,
        timeoutMs: options.timeoutMs ?? 300_000,
        tool: 'pytest',
        installHint: INSTALL_HINT,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      if (/No module named pytest/.test(result.stderr)) continue
      return result
    } catch (error) {
      if (error instanceof DevtoolError && error.failure === 'missing') continue
      throw error
    }
  }
  throw new DevtoolError('pytest', 'missing', `pytest is not installed: ${INSTALL_HINT}`)
}

/** Reads a JUnit XML report as pytest writes it. */
export function parseJunit(xml: string): Omit<TestRunResult, 'output'> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  })
  const valid = XMLValidator.validate(xml)
  if (valid !== true)
    throw new DevtoolError('pytest', 'bad_output', `unreadable JUnit report: ${valid.err.msg}`)
  const doc = parser.parse(xml) as Record<string, unknown>
  const root = (doc.testsuites ?? doc) as { testsuite?: Record<string, unknown>[] }
  const suites = root.testsuite ?? []
  const tests: TestCase[] = []
  let duration = 0
  for (const suite of suites) {
    duration += Number(suite.time ?? 0)
    for (const c of (suite.testcase ?? []) as Record<string, unknown>[]) {
      const failure = (c.failure ?? c.error) as Record<string, unknown> | string | undefined
      const outcome: TestCase['outcome'] = c.failure
        ? 'failed'
        : c.error
          ? 'error'
          : c.skipped !== undefined
            ? 'skipped'
            : 'passed'
      const message =
        typeof failure === 'object'
          ? String(failure.message ?? '')
          : typeof failure === 'string'
            ? failure
            : c.skipped !== undefined
              ? String((c.skipped as Record<string, unknown>)?.message ?? '')
              : null
      tests.push({
        name: [c.classname, c.name].filter(Boolean).join('::'),
        outcome,
        duration: Number(c.time ?? 0),
        message: message || null,
      })
    }
  }
  const count = (o: TestCase['outcome']) => tests.filter((t) => t.outcome === o).length
  return {
    success: count('failed') === 0 && count('error') === 0,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    duration,
    tests,
  }
}

function emptyRun(): Omit<TestRunResult, 'output'> {
  return { success: true, passed: 0, failed: 0, errors: 0, skipped: 0, duration: 0, tests: [] }
}

function tail(text: string): string {
  return text.length > 4000 ? `…${text.slice(-4000)}` : text
}
