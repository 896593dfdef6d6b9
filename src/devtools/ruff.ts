// Linting and formatting Python with ruff compiled to WebAssembly: in-process, no Python needed. The project's
// ruff settings (ruff.toml, .ruff.toml or [tool.ruff] in pyproject.toml) are honoured.
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { DevtoolError, onPath, runProcess, stderrTail } from './process.js'
import { type Applicability, applies, wasmApplicability } from './ruff-fix-safety.js'
import { applyTextEdits, type TextEdit } from './text-edits.js'

export interface Violation {
  line: number
  column: number
  code: string | null
  message: string
  /** Whether `fix` with the same `unsafe` setting fixes it: exactly what the fix will do. */
  fixable: boolean
}

/** Unsafe fixes (ruff's `--unsafe-fixes`, which may change behaviour, e.g. F841's deleted assignment) only on request. */
export interface FixOptions {
  unsafe?: boolean
}

interface RuffEdit {
  content: string | null
  location: { row: number; column: number }
  end_location: { row: number; column: number }
}

interface RuffDiagnostic {
  code: string | null
  message: string
  start_location: { row: number; column: number }
  fix: { edits: RuffEdit[] } | null
}

type RuffModule = typeof import('@astral-sh/ruff-wasm-nodejs')
type RuffWorkspace = InstanceType<RuffModule['Workspace']>

/**
 * Ruff for one project root: the system `ruff` when it is installed (it finds the project's settings itself),
 * else ruff compiled to WebAssembly with the settings read here. Either loads on first use. Both apply only
 * safe fixes unless asked for unsafe ones, and report as fixable exactly what they would fix.
 */
export class RuffLinter {
  private backend: Promise<RuffBackend> | undefined

  constructor(private readonly root: string) {}

  async check(source: string, file: string, options: FixOptions = {}): Promise<Violation[]> {
    return (await this.use()).check(source, file, options.unsafe ?? false)
  }

  /** The source with the fixes applied that `check` reports fixable with the same options. */
  async fix(source: string, file: string, options: FixOptions = {}): Promise<string> {
    return (await this.use()).fix(source, file, options.unsafe ?? false)
  }

  async format(source: string, file: string): Promise<string> {
    return (await this.use()).format(source, file)
  }

  /** Which ruff answers: `cli` or `wasm`. */
  async kind(): Promise<'cli' | 'wasm'> {
    return (await this.use()).kind
  }

  private use(): Promise<RuffBackend> {
    this.backend ??= onPath('ruff').then((installed) =>
      installed ? cliRuff(this.root) : wasmRuff(this.root),
    )
    return this.backend
  }
}

interface RuffBackend {
  kind: 'cli' | 'wasm'
  check(source: string, file: string, unsafe: boolean): Promise<Violation[]>
  fix(source: string, file: string, unsafe: boolean): Promise<string>
  format(source: string, file: string): Promise<string>
}

/** A fix's edits as offsets into the text it was computed for. */
interface OffsetFix {
  start: number
  end: number
  edits: TextEdit[]
}

// ruff --fix loops until nothing changes (at most 100 times); fixes that touch each other wait for a later round.
const MAX_FIX_ROUNDS = 20

/** The wasm backend around a loaded workspace's check and format. */
function wasmBackend(
  lint: (source: string) => RuffDiagnostic[],
  format: (source: string) => string,
): RuffBackend {
  const applicable = (d: RuffDiagnostic, text: string, file: string, unsafe: boolean): OffsetFix | null => {
    if (!d.fix || d.fix.edits.length === 0) return null
    const offset = lineOffsets(text)
    const spans = d.fix.edits.map((edit) => {
      const e = toTextEdit(edit)
      return { edit: e, start: offset(e.range.start), end: offset(e.range.end) }
    })
    const edits = spans.map(({ edit, start, end }) => ({
      removed: text.slice(start, end),
      inserted: edit.newText,
    }))
    if (!applies(wasmApplicability(d.code, file, edits), unsafe)) return null
    return {
      start: Math.min(...spans.map((s) => s.start)),
      end: Math.max(...spans.map((s) => s.end)),
      edits: spans.map((s) => s.edit),
    }
  }
  return {
    kind: 'wasm',
    check: async (source, file, unsafe) =>
      lint(source).map((d) => ({
        line: d.start_location.row,
        column: d.start_location.column,
        code: d.code,
        message: d.message,
        fixable: applicable(d, source, file, unsafe) !== null,
      })),
    fix: async (source, file, unsafe) => {
      let text = source
      for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
        const fixes = lint(text)
          .map((d) => applicable(d, text, file, unsafe))
          .filter((f): f is OffsetFix => f !== null)
          .sort((a, b) => a.start - b.start || a.end - b.end)
        // Whole fixes only, none touching another: a fix half applied can break the code.
        const chosen: TextEdit[] = []
        let last = -1
        for (const fix of fixes) {
          if (fix.start <= last) continue
          chosen.push(...fix.edits)
          last = fix.end
        }
        if (chosen.length === 0) break
        const next = applyTextEdits(text, chosen)
        if (next === text) break
        text = next
      }
      return text
    },
    format: async (source) => {
      try {
        return format(source)
      } catch (error) {
        throw new DevtoolError('ruff', 'bad_output', `ruff could not format the file: ${String(error)}`)
      }
    },
  }
}

async function wasmRuff(root: string): Promise<RuffBackend> {
  const module: RuffModule = await import('@astral-sh/ruff-wasm-nodejs')
  const settings = await projectSettings(root)
  let ruff: RuffWorkspace
  try {
    ruff = new module.Workspace(settings ?? module.Workspace.defaultSettings(), module.PositionEncoding.Utf16)
  } catch (error) {
    throw new DevtoolError(
      'ruff',
      'bad_output',
      `the project's ruff settings are not valid: ${String(error)}`,
    )
  }
  return wasmBackend(
    (source) => ruff.check(source) as RuffDiagnostic[],
    (source) => ruff.format(source),
  )
}

function cliRuff(root: string): RuffBackend {
  const run = async (args: string[], source: string, file: string) => {
    const result = await runProcess(
      'ruff',
      // `--stdin-filename=` keeps a file name from being read as an option; `-` is stdin.
      [...args, `--stdin-filename=${relative(root, file) || file}`, '-'],
      {
        cwd: root,
        timeoutMs: 60_000,
        tool: 'ruff',
        input: source,
      },
    )
    if (result.exitCode !== 0 && result.exitCode !== 1) {
      throw new DevtoolError(
        'ruff',
        'crashed',
        `ruff ${args[0]} failed (exit ${result.exitCode}): ${stderrTail(result.stderr)}`,
      )
    }
    return result.stdout
  }
  // Said every time, so a project's `unsafe-fixes` setting does not change what `fixable` means.
  const unsafeFlag = (unsafe: boolean) => (unsafe ? '--unsafe-fixes' : '--no-unsafe-fixes')
  return {
    kind: 'cli',
    check: async (source, file, unsafe) =>
      parseRuffJson(
        await run(['check', '--output-format', 'json', '--no-fix', unsafeFlag(unsafe)], source, file),
        unsafe,
      ),
    fix: (source, file, unsafe) =>
      run(['check', '--fix-only', '--exit-zero', unsafeFlag(unsafe)], source, file),
    format: (source, file) => run(['format'], source, file),
  }
}

/** `ruff check --output-format json`: a list of diagnostics with 1-based locations and each fix's applicability. */
export function parseRuffJson(output: string, unsafe = false): Violation[] {
  let items: unknown
  try {
    items = JSON.parse(output)
  } catch {
    throw new DevtoolError('ruff', 'bad_output', `ruff did not answer with JSON: ${output.slice(0, 200)}`)
  }
  if (!Array.isArray(items))
    throw new DevtoolError('ruff', 'bad_output', 'ruff answered JSON that is not a list')
  return (
    items as {
      code: string | null
      message: string
      location: { row: number; column: number }
      fix: { applicability?: Applicability } | null
    }[]
  ).map((d) => ({
    line: d.location.row,
    column: d.location.column,
    code: d.code,
    message: d.message,
    fixable: applies(d.fix ? (d.fix.applicability ?? 'unsafe') : null, unsafe),
  }))
}

function lineOffsets(text: string): (p: { line: number; character: number }) => number {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return (p) => (starts[p.line] ?? text.length) + p.character
}

/** The [tool.ruff] table, or a ruff.toml / .ruff.toml, of the project root; undefined when there is none. */
export async function projectSettings(root: string): Promise<Record<string, unknown> | undefined> {
  for (const name of ['ruff.toml', '.ruff.toml']) {
    const text = await readFile(join(root, name), 'utf8').catch(() => undefined)
    if (text !== undefined) return parseSettings(text, name)
  }
  const pyproject = await readFile(join(root, 'pyproject.toml'), 'utf8').catch(() => undefined)
  if (pyproject === undefined) return undefined
  const tool = (parseSettings(pyproject, 'pyproject.toml').tool ?? {}) as Record<string, unknown>
  return tool.ruff as Record<string, unknown> | undefined
}

function parseSettings(text: string, name: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>
  } catch (error) {
    throw new DevtoolError('ruff', 'bad_output', `${name} is not valid TOML: ${(error as Error).message}`)
  }
}

/** Ruff's edits count rows and columns from 1; the shared applier counts from 0. */
function toTextEdit(edit: RuffEdit): TextEdit {
  return {
    range: {
      start: { line: edit.location.row - 1, character: edit.location.column - 1 },
      end: { line: edit.end_location.row - 1, character: edit.end_location.column - 1 },
    },
    newText: edit.content ?? '',
  }
}
