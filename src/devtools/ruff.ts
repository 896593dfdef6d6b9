// Linting and formatting Python with ruff compiled to WebAssembly: in-process, no Python needed. The project's
// ruff settings (ruff.toml, .ruff.toml or [tool.ruff] in pyproject.toml) are honoured.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { DevtoolError } from './process.js'

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

/** One ruff per project root and settings; the WebAssembly module loads on first use. */
export class RuffLinter {
  private workspace: Promise<RuffWorkspace> | undefined

  constructor(private readonly root: string) {}

  async check(source: string): Promise<Violation[]> {
    const ruff = await this.ruff()
    return (ruff.check(source) as RuffDiagnostic[]).map((d) => ({
      line: d.start_location.row,
      column: d.start_location.column,
      code: d.code,
      message: d.message,
      fixable: Boolean(d.fix?.edits.length),
    }))
  }

  /** The source with every offered fix applied, repeated until no fix is left (at most 5 rounds). */
  async fix(source: string): Promise<string> {
    const ruff = await this.ruff()
    let text = source
    for (let round = 0; round < 5; round++) {
      const edits = (ruff.check(text) as RuffDiagnostic[]).flatMap((d) => d.fix?.edits ?? [])
      if (edits.length === 0) break
      text = applyEdits(text, edits)
    }
    return text
  }

  async format(source: string): Promise<string> {
    const ruff = await this.ruff()
    try {
      return ruff.format(source)
    } catch (error) {
      throw new DevtoolError('ruff', 'bad_output', `ruff could not format the file: ${String(error)}`)
    }
  }

  private ruff(): Promise<RuffWorkspace> {
    this.workspace ??= (async () => {
      const module: RuffModule = await import('@astral-sh/ruff-wasm-nodejs')
      const settings = await projectSettings(this.root)
      try {
        return new module.Workspace(
          settings ?? module.Workspace.defaultSettings(),
          module.PositionEncoding.Utf16,
        )
      } catch (error) {
        throw new DevtoolError(
          'ruff',
          'bad_output',
          `the project's ruff settings are not valid: ${String(error)}`,
        )
      }
    })()
    return this.workspace
  }
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

/** Applies non-overlapping edits (1-based rows and columns), last first so earlier positions stay valid. */
export function applyEdits(text: string, edits: readonly RuffEdit[]): string {
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  const offset = (p: { row: number; column: number }) => (lineStarts[p.row - 1] ?? text.length) + p.column - 1
  const ordered = edits
    .map((e) => ({ start: offset(e.location), end: offset(e.end_location), content: e.content ?? '' }))
    .sort((a, b) => b.start - a.start)
  let out = text
  let limit = Number.POSITIVE_INFINITY
  for (const edit of ordered) {
    if (edit.end > limit) continue
    out = out.slice(0, edit.start) + edit.content + out.slice(edit.end)
    limit = edit.start
  }
  return out
}
