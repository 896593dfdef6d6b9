// Running tests with pytest and reading its JUnit XML report as a typed result: real node ids, decoded messages,
// and the cause of a collection error. The target and -k expression are checked as argv words.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { pytestKeywordExpression, pytestTarget } from './argv.js'
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
  options: { target?: string; k?: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<TestRunResult> {
  const args = [
    '-q',
    '-p',
    'no:cacheprovider',
    // xunit1 keeps each test's file, from which its node id is rebuilt; node ids are relative to the root.
    '-o',
    'junit_family=xunit1',
    `--rootdir=${root}`,
    ...(options.k !== undefined ? ['-k', pytestKeywordExpression(options.k)] : []),
    '--',
    ...(options.target !== undefined ? [pytestTarget(options.target)] : []),
  ]
  const dir = await mkdtemp(join(tmpdir(), 'punie-pytest-'))
  const report = join(dir, 'junit.xml')
  try {
    const result = await launch(root, [`--junitxml=${report}`, ...args], options)
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
    return { ...parseJunit(xml, root), output: tail(result.stdout) }
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

/** Reads a JUnit XML report as pytest writes it; `root` is made relative in collection errors. */
export function parseJunit(xml: string, root?: string): Omit<TestRunResult, 'output'> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Numeric references such as &#10; (pytest writes every newline of a message so) are decoded too.
    htmlEntities: true,
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  })
  const valid = XMLValidator.validate(xml)
  if (valid !== true)
    throw new DevtoolError('pytest', 'bad_output', `unreadable JUnit report: ${valid.err.msg}`)
  const doc = parser.parse(xml) as Record<string, unknown>
  const top = (doc.testsuites ?? doc) as { testsuite?: Record<string, unknown>[] }
  const suites = top.testsuite ?? []
  const tests: TestCase[] = []
  let duration = 0
  for (const suite of suites) {
    duration += Number(suite.time ?? 0)
    for (const c of (suite.testcase ?? []) as Record<string, unknown>[]) {
      const failure = (c.failure ?? c.error) as Record<string, unknown> | string | undefined
      const outcome: TestCase['outcome'] =
        c.failure !== undefined
          ? 'failed'
          : c.error !== undefined
            ? 'error'
            : c.skipped !== undefined
              ? 'skipped'
              : 'passed'
      let message: string | null = null
      if (failure !== undefined) {
        const attr = typeof failure === 'object' ? String(failure.message ?? '') : ''
        const body = typeof failure === 'object' ? String(failure['#text'] ?? '') : String(failure)
        message = attr === 'collection failure' ? collectionError(body, root) : attr || body
      } else if (c.skipped !== undefined) {
        message =
          typeof c.skipped === 'object' ? String((c.skipped as Record<string, unknown>).message ?? '') : ''
      }
      tests.push({
        name: nodeId(c),
        outcome,
        duration: Number(c.time ?? 0),
        message: message ? clip(message) : null,
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

/**
 * The pytest node id of a JUnit test case: pytest wrote `classname` as the node id's path with "/" turned to
 * "." and ".py" dropped, then its classes; with the `file` attribute (xunit1) the id is rebuilt exactly:
 * `tests/test_x.py::TestA::test_b[1-2]`. A collection error's case names the module itself.
 */
export function nodeId(c: Record<string, unknown>): string {
  const classname = String(c.classname ?? '')
  const name = String(c.name ?? '')
  const file = typeof c.file === 'string' ? c.file : undefined
  const module = file?.replace(/\.py$/, '').replaceAll('/', '.')
  if (file !== undefined && classname === '' && name === module) return file
  if (file !== undefined && (classname === module || classname.startsWith(`${module}.`))) {
    const classes = classname
      .slice((module as string).length)
      .split('.')
      .filter(Boolean)
    return [file, ...classes, name].join('::')
  }
  // A test defined in another file than the one collecting it (an inherited method): `file` names where it is
  // defined, so the module is read from classname, up to the first capitalised part (a class).
  const parts = classname.split('.').filter(Boolean)
  const firstClass = parts.findIndex((part) => /^[A-Z]/.test(part))
  const moduleParts = firstClass === -1 ? parts : parts.slice(0, firstClass)
  if (moduleParts.length === 0) return [classname, name].filter(Boolean).join('::')
  return [`${moduleParts.join('/')}.py`, ...parts.slice(moduleParts.length), name].join('::')
}

/**
 * What a collection error says: pytest's headline (ImportError while importing …) and its `E` lines (the
 * exception, a SyntaxError's file, line and caret), without the traceback through pytest's own code.
 */
export function collectionError(body: string, root?: string): string {
  const lines = body.split('\n')
  const errors = lines.filter((l) => l.startsWith('E ')).map((l) => l.replace(/^E {1,3}/, ''))
  const first = lines[0] ?? ''
  const headline = first && !/^\S+:\d+: in /.test(first) && !first.startsWith('E ') ? [first] : []
  let text = [...headline, ...errors].join('\n').trim() || body.trim() || 'collection failure'
  if (root) text = text.replaceAll(`${root}/`, '')
  return text
}

function clip(message: string): string {
  return message.length > 4000 ? `${message.slice(0, 4000)}…` : message
}

function emptyRun(): Omit<TestRunResult, 'output'> {
  return { success: true, passed: 0, failed: 0, errors: 0, skipped: 0, duration: 0, tests: [] }
}

function tail(text: string): string {
  return text.length > 4000 ? `…${text.slice(-4000)}` : text
}
