// The other type checkers a project may use (basedpyright, mypy, ty), and which one runs.
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { absolutePath } from './argv.js'
import { DevtoolError, onPath, runProcess, stderrTail } from './process.js'
import { parsePyright, typecheck as pyright, type TypecheckResult, type TypeDiagnostic } from './pyright.js'
import type { Typechecker } from './settings.js'

type Checker = Exclude<Typechecker, 'auto'>

const TIMEOUT_MS = 120_000

/** The configured checker; for `auto`, the one pyproject.toml configures if it is installed, else pyright. */
export async function chooseTypechecker(root: string, setting: Typechecker): Promise<Checker> {
  if (setting !== 'auto') return setting
  const pyproject = await readFile(join(root, 'pyproject.toml'), 'utf8').catch(() => '')
  let tools: Record<string, unknown> = {}
  try {
    tools = ((parseToml(pyproject) as { tool?: Record<string, unknown> }).tool ?? {}) as Record<
      string,
      unknown
    >
  } catch {
    // an unreadable pyproject.toml configures nothing
  }
  for (const checker of ['basedpyright', 'ty', 'mypy'] as const) {
    if (checker in tools && (await onPath(checker))) return checker
  }
  return 'pyright'
}

export async function runTypechecker(
  checker: Checker,
  root: string,
  target: string,
  signal?: AbortSignal,
): Promise<TypecheckResult> {
  const options = {
    cwd: root,
    timeoutMs: TIMEOUT_MS,
    tool: checker,
    installHint: `install ${checker}, or set "typechecker" to pyright`,
    ...(signal ? { signal } : {}),
  }
  switch (checker) {
    case 'pyright':
      return pyright(root, target, signal)
    case 'basedpyright': {
      const result = await runProcess('basedpyright', ['--outputjson', absolutePath(target)], options)
      return parsePyright(result.stdout, root, result.stderr, 'basedpyright')
    }
    case 'mypy': {
      await refuseMypyProjectCode(root)
      const result = await runProcess(
        'mypy',
        [
          '--show-column-numbers',
          '--show-error-codes',
          '--no-error-summary',
          '--no-pretty',
          '--no-color-output',
          '--',
          absolutePath(target),
        ],
        options,
      )
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        throw new DevtoolError(
          'mypy',
          'crashed',
          `mypy failed (exit ${result.exitCode}): ${stderrTail(result.stderr || result.stdout)}`,
        )
      }
      return summarise('mypy', parseLines(result.stdout, root, MYPY_LINE))
    }
    case 'ty': {
      const result = await runProcess(
        'ty',
        ['check', '--output-format', 'concise', '--', absolutePath(target)],
        options,
      )
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        throw new DevtoolError(
          'ty',
          'crashed',
          `ty failed (exit ${result.exitCode}): ${stderrTail(result.stderr || result.stdout)}`,
        )
      }
      return summarise('ty', parseLines(result.stdout, root, TY_LINE))
    }
  }
}

/**
 * mypy imports the plugins its config names and runs the `python_executable` it names: the project's own code,
 * which only tools that ask may run. typecheck does not ask, so it does not run mypy on such a config.
 */
export async function refuseMypyProjectCode(root: string): Promise<void> {
  const found: string[] = []
  for (const name of ['mypy.ini', '.mypy.ini', 'setup.cfg']) {
    const text = await readFile(join(root, name), 'utf8').catch(() => '')
    const section = /^\[mypy\][^\n]*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? ''
    for (const key of ['plugins', 'python_executable'])
      if (new RegExp(`^\\s*${key}\\s*[=:]`, 'm').test(section)) found.push(`${key} in ${name}`)
  }
  const pyproject = await readFile(join(root, 'pyproject.toml'), 'utf8').catch(() => '')
  try {
    const mypy = ((parseToml(pyproject) as { tool?: { mypy?: Record<string, unknown> } }).tool?.mypy ??
      {}) as Record<string, unknown>
    for (const key of ['plugins', 'python_executable'])
      if (mypy[key] !== undefined) found.push(`${key} in pyproject.toml [tool.mypy]`)
  } catch {
    // mypy reports an unreadable pyproject.toml itself
  }
  if (found.length)
    throw new DevtoolError(
      'mypy',
      'bad_output',
      `the project's mypy config runs project code (${found.join(', ')}), and typecheck runs none; set "typechecker" to pyright, or run mypy with run_command, which asks first`,
    )
}

// mypy: `pkg/a.py:6:12: error: Incompatible return value type  [return-value]`
const MYPY_LINE =
  /^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|note): (?<message>.*?)(?:\s+\[(?<rule>[\w-]+)\])?$/
// ty (concise): `pkg/a.py:6:12: error[invalid-return-type] Return type does not match`
const TY_LINE =
  /^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|info)\[(?<rule>[\w-]+)\] (?<message>.*)$/

export function parseLines(output: string, root: string, pattern: RegExp): TypeDiagnostic[] {
  return output.split('\n').flatMap((line): TypeDiagnostic[] => {
    const g = pattern.exec(line.trim())?.groups
    if (!g) return []
    const severity = g.severity === 'error' ? 'error' : g.severity === 'warning' ? 'warning' : 'information'
    return [
      {
        file: relative(root, join(root, g.file as string)) || (g.file as string),
        line: Number(g.line),
        column: Number(g.column),
        severity,
        rule: g.rule ?? null,
        message: g.message as string,
      },
    ]
  })
}

function summarise(checker: string, errors: TypeDiagnostic[]): TypecheckResult {
  const errorCount = errors.filter((e) => e.severity === 'error').length
  return {
    success: errorCount === 0,
    checker,
    files_checked: new Set(errors.map((e) => e.file)).size,
    error_count: errorCount,
    warning_count: errors.filter((e) => e.severity === 'warning').length,
    errors,
  }
}
