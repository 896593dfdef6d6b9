// Type checking with pyright (shipped with Punie through npm): `pyright --outputjson` as a typed result.
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { absolutePath } from './argv.js'
import { DevtoolError, runProcess, stderrTail } from './process.js'

export interface TypeDiagnostic {
  file: string
  line: number
  column: number
  severity: 'error' | 'warning' | 'information'
  rule: string | null
  message: string
}

export interface TypecheckResult {
  success: boolean
  checker: string
  files_checked: number
  error_count: number
  warning_count: number
  errors: TypeDiagnostic[]
}

const TIMEOUT_MS = 120_000

function pyrightCli(): string {
  const manifest = createRequire(import.meta.url).resolve('pyright/package.json')
  return join(dirname(manifest), 'index.js')
}

export async function typecheck(
  root: string,
  target: string,
  signal?: AbortSignal,
): Promise<TypecheckResult> {
  // pyright takes no `--`; an absolute target cannot be read as an option.
  const result = await runProcess(process.execPath, [pyrightCli(), '--outputjson', absolutePath(target)], {
    cwd: root,
    timeoutMs: TIMEOUT_MS,
    tool: 'pyright',
    ...(signal ? { signal } : {}),
  })
  return parsePyright(result.stdout, root, result.stderr)
}

/** Parses pyright's --outputjson; anything else is reported as garbage output, with its stderr. */
export function parsePyright(
  stdout: string,
  root: string,
  stderr = '',
  checker = 'pyright',
): TypecheckResult {
  let report: {
    generalDiagnostics?: {
      file: string
      severity: string
      message: string
      rule?: string
      range?: { start: { line: number; character: number } }
    }[]
    summary?: { filesAnalyzed?: number; errorCount?: number; warningCount?: number }
  }
  try {
    report = JSON.parse(stdout)
  } catch {
    throw new DevtoolError(
      'pyright',
      'bad_output',
      `pyright did not answer with JSON: ${stderrTail(stderr || stdout)}`,
    )
  }
  if (!Array.isArray(report.generalDiagnostics)) {
    throw new DevtoolError('pyright', 'bad_output', 'pyright answered JSON without diagnostics')
  }
  const errors = report.generalDiagnostics.map((d) => ({
    file: relative(root, d.file) || d.file,
    line: (d.range?.start.line ?? 0) + 1,
    column: (d.range?.start.character ?? 0) + 1,
    severity: (d.severity === 'error' || d.severity === 'warning'
      ? d.severity
      : 'information') as TypeDiagnostic['severity'],
    rule: d.rule ?? null,
    message: d.message,
  }))
  const errorCount = report.summary?.errorCount ?? errors.filter((e) => e.severity === 'error').length
  return {
    success: errorCount === 0,
    checker,
    files_checked: report.summary?.filesAnalyzed ?? 0,
    error_count: errorCount,
    warning_count: report.summary?.warningCount ?? errors.filter((e) => e.severity === 'warning').length,
    errors,
  }
}
