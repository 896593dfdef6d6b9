// What the structural tools and project rules cost: find_pattern over a generated project (cold: the grammar
// loads; warm), grep on the same files for comparison, and the project rules (the tdom/svcs pack) after one edit.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DEFAULT_DEVTOOL_SETTINGS } from '../src/devtools/settings.js'
import { rulesAfterWrite } from '../src/rules/after-write.js'
import { disposeAll } from '../src/session/project.js'
import { findPattern } from '../src/tools/builtin/find-pattern.js'
import { grep } from '../src/tools/builtin/grep.js'
import type { ToolContext } from '../src/tools/define.js'
import { LocalWorkspace } from '../src/workspace/local.js'
import { REPO_ROOT } from '../test/helpers/acp-harness.js'
import { makeTempDir } from '../test/helpers/temp.js'

export interface StructuralFigures {
  files: number
  lines: number
  coldMs: number
  warmMs: number
  grepMs: number
  calls: number
  grepLines: number
  rulesAfterEditMs: number
}

const FILES = 200

function module(i: number): string {
  const lines = [`"""Module ${i}: render() is called here."""`, 'from app import render, route', '']
  for (let f = 0; f < 20; f++) {
    lines.push(
      '@route("/p")',
      `def view_${f}(x):`,
      '    # render the page',
      `    return render("render ${f}", x)`,
      '',
    )
  }
  // One call to look for in every other file, among many others and its name in comments and strings.
  if (i % 2 === 0) lines.push('# helper() is called once here', 'helper("helper")', '')
  return lines.join('\n')
}

export async function structuralFigures(): Promise<StructuralFigures> {
  const dir = makeTempDir('punie-bench-structural-')
  mkdirSync(join(dir.path, 'app'))
  let lines = 0
  for (let i = 0; i < FILES; i++) {
    const text = module(i)
    lines += text.split('\n').length
    writeFileSync(join(dir.path, 'app', `m${i}.py`), text)
  }
  mkdirSync(join(dir.path, '.punie'))
  const pack = resolve(REPO_ROOT, 'examples/rules/tdom-svcs')
  cpSync(join(pack, 'rules.yaml'), join(dir.path, '.punie', 'rules.yaml'))
  writeFileSync(join(dir.path, 'component.py'), readFileSync(join(pack, 'good', 'components.py'), 'utf8'))
  const memos = new Map<string, unknown>()
  const memo = <T>(key: string, make: () => T): T => {
    if (!memos.has(key)) memos.set(key, make())
    return memos.get(key) as T
  }
  const workspace = new LocalWorkspace(dir.path)
  const ctx: ToolContext = {
    sessionId: 'bench',
    toolCallId: 'structural',
    signal: new AbortController().signal,
    workspace,
    emit: () => undefined,
    callTool: async () => ({ ok: false, kind: 'failed', message: 'not in the benchmark' }),
    memo,
    project: { root: dir.path, memo },
    settings: DEFAULT_DEVTOOL_SETTINGS,
  }
  const timed = async <T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> => {
    const started = performance.now()
    const value = await run()
    return { ms: performance.now() - started, value }
  }
  try {
    const args = { pattern: 'call' as const, name: 'helper' }
    const cold = await timed(() => findPattern.run(args, ctx) as Promise<{ matches: unknown[] }>)
    const warm: number[] = []
    for (let i = 0; i < 5; i++) warm.push((await timed(() => findPattern.run(args, ctx))).ms)
    const text = await timed(() => grep.run({ pattern: 'helper' }, ctx) as Promise<{ matches: unknown[] }>)
    await rulesAfterWrite(ctx, ['component.py'])
    const rules: number[] = []
    for (let i = 0; i < 5; i++) rules.push((await timed(() => rulesAfterWrite(ctx, ['component.py']))).ms)
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
    return {
      files: FILES,
      lines,
      coldMs: cold.ms,
      warmMs: median(warm),
      grepMs: text.ms,
      calls: cold.value.matches.length,
      grepLines: text.value.matches.length,
      rulesAfterEditMs: median(rules),
    }
  } finally {
    await disposeAll(memos.values())
    dir.remove()
  }
}
