// Language server and linter latencies on a generated Python project: cold start to first answer, warm
// queries, lint time per file, and type checking and diagnostics from a warm server against the CLI.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { LspPool } from '../src/devtools/lsp/pool.js'
import { typecheck } from '../src/devtools/pyright.js'
import { serverCheckableFiles, typecheckWithServer } from '../src/devtools/pyright-server.js'
import { RuffLinter } from '../src/devtools/ruff.js'
import { quantile } from '../src/perf/collector.js'
import { makeTempDir } from '../test/helpers/temp.js'

function module(i: number): string {
  const lines = [`from pkg.m${Math.max(0, i - 1)} import f${Math.max(0, i - 1)}`, '', '']
  for (let j = 0; j < 20; j++)
    lines.push(`def g${i}_${j}(x: int) -> int:`, `    return f${Math.max(0, i - 1)}(x) + ${j}`, '', '')
  lines.push(`def f${i}(x: int) -> int:`, '    return x * 2', '')
  return lines.join('\n')
}

export async function devtoolFigures(queries = 20) {
  const dir = makeTempDir('punie-bench-py-')
  mkdirSync(join(dir.path, 'pkg'))
  writeFileSync(join(dir.path, 'pkg', '__init__.py'), '')
  for (let i = 0; i < 20; i++) writeFileSync(join(dir.path, 'pkg', `m${i}.py`), module(i))
  const target = join(dir.path, 'pkg', 'm10.py')
  const text = module(10)
  const position = { line: 4, character: 11 }
  const pool = new LspPool()
  try {
    const started = performance.now()
    const client = await pool.client(dir.path, 'python')
    const uri = client.sync(target, text)
    await client.request('textDocument/definition', { textDocument: { uri }, position })
    const coldMs = performance.now() - started
    const warm: number[] = []
    for (let i = 0; i < queries; i++) {
      const t = performance.now()
      await client.request('textDocument/definition', {
        textDocument: { uri: pathToFileURL(target).href },
        position,
      })
      warm.push(performance.now() - t)
    }
    const linter = new RuffLinter(dir.path)
    const lintStarted = performance.now()
    await linter.check(text, target)
    const lintColdMs = performance.now() - lintStarted
    const lint: number[] = []
    for (let i = 0; i < queries; i++) {
      const t = performance.now()
      await linter.check(module(i), target)
      lint.push(performance.now() - t)
    }
    const checks = await checkFigures(dir.path, target, text)
    return {
      ...checks,
      lspColdMs: coldMs,
      lspWarmP50: quantile(warm, 0.5) ?? 0,
      lspWarmP95: quantile(warm, 0.95) ?? 0,
      lintColdMs,
      lintP50: quantile(lint, 0.5) ?? 0,
      lines: text.split('\n').length,
    }
  } finally {
    await pool.dispose()
    dir.remove()
  }
}

const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now()
  const result = await work()
  return [performance.now() - started, result]
}

/**
 * `typecheck` by the CLI (a process per call) and by a warm language server, first and second call; and
 * `diagnostics` of one file, first call (starting the server) and second call (after a change).
 */
async function checkFigures(root: string, target: string, text: string) {
  writeFileSync(join(root, 'pkg', 'wrong.py'), 'def f() -> str:\n    return 1\n')
  const [cliFirstMs, cli] = await timed(() => typecheck(root, root))
  const [cliSecondMs] = await timed(() => typecheck(root, root))
  const checkable = await serverCheckableFiles(root, root, false)
  if (!checkable) throw new Error('the bench project should be checkable by the warm server')
  const { files, disk } = checkable
  const texts = files.map((path) => ({ path, text: readFileSync(path, 'utf8') }))
  const pool = new LspPool()
  try {
    const [warmFirstMs, warm] = await timed(async () =>
      typecheckWithServer(await pool.client(root, 'python'), root, texts, disk),
    )
    const [warmSecondMs] = await timed(async () =>
      typecheckWithServer(await pool.client(root, 'python'), root, texts, disk),
    )
    if (warm.error_count !== cli.error_count || warm.files_checked !== cli.files_checked)
      throw new Error(`the warm server disagrees with the CLI: ${JSON.stringify({ warm, cli })}`)
    const fresh = new LspPool()
    try {
      const [diagnosticsFirstMs] = await timed(async () => {
        const client = await fresh.client(root, 'python')
        return client.diagnosticsFor(client.sync(target, text))
      })
      const [diagnosticsSecondMs] = await timed(async () => {
        const client = await fresh.client(root, 'python')
        return client.diagnosticsFor(client.sync(target, `${text}\nx: int = "changed"\n`))
      })
      return {
        files: files.length,
        cliFirstMs,
        cliSecondMs,
        warmFirstMs,
        warmSecondMs,
        diagnosticsFirstMs,
        diagnosticsSecondMs,
      }
    } finally {
      await fresh.dispose()
    }
  } finally {
    await pool.dispose()
  }
}
