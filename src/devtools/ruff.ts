// Linting and formatting Python with ruff compiled to WebAssembly: in-process, no Python needed. The project's
// ruff settings (ruff.toml, .ruff.toml or [tool.ruff] in pyproject.toml) are honoured.
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { DevtoolError, onPath, runProcess, stderrTail } from './process.js'
import { applyTextEdits, type TextEdit } from './text-edits.js'

export interface Violation {
  line: number
  column: number
  code: string | null
  message: string
  fixable: boolean
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
 * else ruff compiled to WebAssembly with the settings read here. Either loads on first use.
 */
export class RuffLinter {
  private backend: Promise<RuffBackend> | undefined

  constructor(private readonly root: string) {}

  async check(source: string, file: string): Promise<Violation[]> {
    return (await this.use()).check(source, file)
  }

  /** The source with every fix ruff offers applied. */
  async fix(source: string, file: string): Promise<string> {
    return (await this.use()).fix(source, file)
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
  check(source: string, file: string): Promise<Violation[]>
  fix(source: string, file: string): Promise<string>
  format(source: string, file: string): Promise<string>
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
  return {
    kind: 'wasm',
    check: async (source) => toViolations(ruff.check(source) as RuffDiagnostic[]),
    fix: async (source) => {
      let text = source
      for (let round = 0; round < 5; round++) {
        const edits = (ruff.check(text) as RuffDiagnostic[]).flatMap((d) => d.fix?.edits ?? [])
        if (edits.length === 0) break
        text = applyTextEdits(text, edits.map(toTextEdit))
      }
      return text
    },
    format: async (source) => {
      try {
        return ruff.format(source)
      } catch (error) {
        throw new DevtoolError('ruff', 'bad_output', `ruff could not format the file: ${String(error)}`)
      }
    },
  }
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
  return {
    kind: 'cli',
    check: async (source, file) =>
      parseRuffJson(await run(['check', '--output-format', 'json', '--no-fix'], source, file)),
    fix: (source, file) => run(['check', '--fix-only', '--exit-zero'], source, file),
    format: (source, file) => run(['format'], source, file),
  }
}

/** `ruff check --output-format json`: a list of diagnostics with 1-based locations. */
export function parseRuffJson(output: string): Violation[] {
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
      fix: unknown
    }[]
  ).map((d) => ({
    line: d.location.row,
    column: d.location.column,
    code: d.code,
    message: d.message,
    fixable: Boolean(d.fix),
  }))
}

function toViolations(diagnostics: RuffDiagnostic[]): Violation[] {
  return diagnostics.map((d) => ({
    line: d.start_location.row,
    column: d.start_location.column,
    code: d.code,
    message: d.message,
    fixable: Boolean(d.fix?.edits.length),
  }))
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
