// Semantic tools against the real pyright language server, on a project with a symbol used across files.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { LspClient } from '../../src/devtools/lsp/client.js'
import { defaultPythonServer, LspPool } from '../../src/devtools/lsp/pool.js'
import { locate } from '../../src/devtools/lsp/positions.js'
import { ScriptedIde } from '../helpers/ide.js'
import { makeTempDir } from '../helpers/temp.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

function project(root: string) {
  mkdirSync(join(root, 'shop'))
  mkdirSync(join(root, 'tests'))
  writeFileSync(join(root, 'shop', '__init__.py'), '')
  writeFileSync(
    join(root, 'shop', 'prices.py'),
    'def total(prices: list[float]) -> float:\n    """Sum of the prices."""\n    return sum(prices)\n\n\ndef label(amount: float) -> str:\n    return amount\n',
  )
  writeFileSync(
    join(root, 'shop', 'cart.py'),
    'from shop.prices import total\n\n\ndef checkout(items: list[float]) -> float:\n    return total(items)\n',
  )
  writeFileSync(
    join(root, 'tests', 'test_prices.py'),
    'from shop.prices import total\n\n\ndef test_total():\n    assert total([1.0, 2.0]) == 3.0\n',
  )
}

/** Language server processes started by this process (the agent runs in-process here). */
function ourServers(): number[] {
  // From /proc where there is one: a machine with Node and nothing else may have no pgrep (procps).
  if (existsSync('/proc/self/stat')) {
    return readdirSync('/proc').flatMap((pid) => {
      if (!/^\d+$/.test(pid)) return []
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        return ppid === process.pid && command.includes('langserver.index.js') ? [Number(pid)] : []
      } catch {
        return []
      }
    })
  }
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'langserver.index.js'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

describe('semantic tools through the language server', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })

  it('navigates definitions, references, hover and symbols, finding a symbol whose line is a little off', {
    timeout: 90_000,
  }, async () => {
    project(f.workspace)
    const sessionId = await f.session()
    const definition = await runTool(f, sessionId, 'goto_definition', {
      path: 'shop/cart.py',
      line: 4,
      symbol: 'total',
    })
    expect(definition.result).toBe('shop/prices.py:1:5: def total(prices: list[float]) -> float:')
    const references = await runTool(f, sessionId, 'find_references', {
      path: 'shop/prices.py',
      line: 1,
      symbol: 'total',
    })
    expect(
      references.result
        .split('\n')
        .map((l) => l.split(':').slice(0, 2).join(':'))
        .sort(),
    ).toEqual([
      'shop/cart.py:1',
      'shop/cart.py:5',
      'shop/prices.py:1',
      'tests/test_prices.py:1',
      'tests/test_prices.py:5',
    ])
    const hover = await runTool(f, sessionId, 'hover', { path: 'shop/cart.py', line: 5, symbol: 'total' })
    expect(hover.result).toContain('def total(prices: list[float]) -> float')
    expect(hover.result).toContain('Sum of the prices.')
    const symbols = await runTool(f, sessionId, 'document_symbols', { path: 'shop/prices.py' })
    expect(symbols.result.split('\n')).toEqual(
      expect.arrayContaining(['1: function total', '6: function label']),
    )
    const found = await runTool(f, sessionId, 'workspace_symbols', { query: 'checkout' })
    expect(found.result).toContain('shop/cart.py:4: function checkout')
    const missing = await runTool(f, sessionId, 'goto_definition', {
      path: 'shop/cart.py',
      line: 1,
      symbol: 'nowhere',
    })
    expect(missing.result).toMatch(/"nowhere" is not on line 1 or within 3 lines/)
  })

  it('shares one warm language server between the sessions of a project, across closes, until it idles out', {
    timeout: 90_000,
  }, async () => {
    f.writeConfig({ checkerIdleTimeoutMs: 1500 })
    await f.restart()
    project(f.workspace)
    mkdirSync(join(f.workspace, '.git'))
    const before = ourServers()
    const first = await f.session()
    const second = (await f.acp.newSession(join(f.workspace, 'tests'))).sessionId
    const fromRoot = await runTool(f, first, 'goto_definition', {
      path: 'shop/cart.py',
      line: 4,
      symbol: 'total',
    })
    expect(fromRoot.result).toContain('shop/prices.py:1:5')
    // The card said what was going on while the server started.
    expect(JSON.stringify(fromRoot.cards)).toContain('Starting the python language server')
    // The second session works in tests/, and its project (the git root) still reaches shop/.
    const fromTests = await runTool(f, second, 'goto_definition', {
      path: 'test_prices.py',
      line: 5,
      symbol: 'total',
    })
    expect(fromTests.result).toContain('prices.py:1:5')
    expect(JSON.stringify(fromTests.cards)).not.toContain('Starting the python language server')
    const shared = ourServers().filter((pid) => !before.includes(pid))
    expect(shared).toHaveLength(1)

    // Every session closes; the server stays warm, and the next session of the project (a new `ask`) uses it.
    await f.acp.agent.request(methods.agent.session.close, { sessionId: first })
    await f.acp.agent.request(methods.agent.session.close, { sessionId: second })
    expect(ourServers()).toContain(shared[0])
    const third = await f.session()
    const again = await runTool(f, third, 'hover', { path: 'shop/cart.py', line: 5, symbol: 'total' })
    expect(again.result).toContain('def total(prices: list[float]) -> float')
    expect(JSON.stringify(again.cards)).not.toContain('Starting the python language server')
    expect(ourServers().filter((pid) => !before.includes(pid))).toEqual(shared)

    // Once no session has used the project for the idle timeout, the server stops.
    await f.acp.agent.request(methods.agent.session.close, { sessionId: third })
    for (let i = 0; i < 100 && ourServers().includes(shared[0] as number); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(ourServers()).not.toContain(shared[0])
  })

  it('stops warm language servers when the agent shuts down', { timeout: 60_000 }, async () => {
    project(f.workspace)
    const before = ourServers()
    const sessionId = await f.session()
    await runTool(f, sessionId, 'document_symbols', { path: 'shop/prices.py' })
    await f.acp.agent.request(methods.agent.session.close, { sessionId })
    const warm = ourServers().filter((pid) => !before.includes(pid))
    expect(warm).toHaveLength(1)
    await f.agent.close()
    for (let i = 0; i < 50 && ourServers().includes(warm[0] as number); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(ourServers()).not.toContain(warm[0])
  })

  it('reports diagnostics for the editor buffer, not only the disk', { timeout: 90_000 }, async () => {
    project(f.workspace)
    const sessionId = await f.session()
    const onDisk = await runTool(f, sessionId, 'diagnostics', { path: 'shop/prices.py' })
    expect(onDisk.result).toMatch(/^7:12: error \[reportReturnType\]/)
    f.acp.ide?.buffers.set(
      join(f.workspace, 'shop', 'prices.py'),
      'def label(amount: float) -> str:\n    return str(amount)\n',
    )
    const inBuffer = await runTool(f, sessionId, 'diagnostics', { path: 'shop/prices.py' })
    expect(inBuffer.result).toBe('No problems.')
  })

  it('renames across files through the permission flow, and restarts a crashed server', {
    timeout: 90_000,
  }, async () => {
    project(f.workspace)
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const renamed = await runTool(f, sessionId, 'rename_symbol', {
      path: 'shop/prices.py',
      line: 1,
      symbol: 'total',
      new_name: 'grand_total',
    })
    expect(renamed.result).toBe(
      'Renamed in 3 files (5 edits): shop/cart.py (2), shop/prices.py (1), tests/test_prices.py (2)',
    )
    expect(readFileSync(join(f.workspace, 'shop', 'cart.py'), 'utf8')).toContain('return grand_total(items)')
    expect(readFileSync(join(f.workspace, 'tests', 'test_prices.py'), 'utf8')).toContain(
      'from shop.prices import grand_total',
    )

    const [pid] = ourServers()
    expect(pid).toBeTruthy()
    process.kill(pid as number, 'SIGKILL')
    await new Promise((r) => setTimeout(r, 200))
    const again = await runTool(f, sessionId, 'goto_definition', {
      path: 'shop/cart.py',
      line: 5,
      symbol: 'grand_total',
    })
    expect(again.result).toBe('shop/prices.py:1:5: def grand_total(prices: list[float]) -> float:')
    expect(ourServers()).not.toContain(pid)
    expect(ourServers()).toHaveLength(1)
  })
})

describe('language server failures and positions', () => {
  it('reports a language server that is not installed as a typed error', async () => {
    const pool = new LspPool({ python: { command: '/no/such/langserver', args: [], languageId: 'python' } })
    await expect(pool.client(process.cwd(), 'python')).rejects.toMatchObject({
      name: 'DevtoolError',
      failure: 'missing',
    })
    await pool.dispose()
  })

  it('finds a symbol on the given line or nearby, preferring the nearest column', () => {
    const text = 'a = 1\nb = a + a\n\nc = 2\n'
    expect(locate(text, 2, { symbol: 'a', column: 9 })).toEqual({ line: 1, character: 8 })
    expect(locate(text, 4, { symbol: 'b' })).toEqual({ line: 1, character: 0 })
    expect(locate(text, 1, { column: 3 })).toEqual({ line: 0, character: 2 })
    expect(() => locate(text, 1, { symbol: 'zz' })).toThrow(/not on line 1/)
  })
})

describe('language server configuration', () => {
  const f = useProtocolFixture()

  it('says how to add a server for a language that has none', async () => {
    writeFileSync(join(f.workspace, 'app.ts'), 'export const x = 1\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'document_symbols', { path: 'app.ts' })
    expect(run.result).toMatch(
      /no language server is set up for typescript files; add one under "languageServers"/,
    )
  })

  it('uses the configured server, and reports one that is not installed', async () => {
    f.writeConfig({ languageServers: { python: ['no-such-python-langserver', '--stdio'] } })
    await f.restart()
    writeFileSync(join(f.workspace, 'a.py'), 'x = 1\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'document_symbols', { path: 'a.py' })
    expect(run.result).toMatch(/the language server no-such-python-langserver is not installed/)
  })
})

describe('diagnostics of the version asked about', () => {
  const f = useProtocolFixture()

  it('returns the exact diagnostics of a file changed on disk after hover and definition, every time', {
    timeout: 180_000,
  }, async () => {
    const counts: number[] = []
    for (let i = 0; i < 12; i++) {
      // A project of its own each round, so that each round meets a language server that has just started.
      const root = join(f.workspace, `round${i}`)
      mkdirSync(root)
      project(root)
      const { sessionId } = await f.acp.newSession(root)
      await runTool(f, sessionId, 'goto_definition', { path: 'shop/cart.py', line: 5, symbol: 'total' })
      await runTool(f, sessionId, 'hover', { path: 'shop/prices.py', line: 1, symbol: 'total' })
      const wrong = 2 + (i % 3)
      const body = Array.from({ length: wrong }, (_, j) => `y${j}: int = "two"`).join('\n')
      writeFileSync(
        join(root, 'shop', 'prices.py'),
        `def total(prices: list[float]) -> float:\n    return sum(prices)\n\n\n${body}\n`,
      )
      const found = await runTool(f, sessionId, 'diagnostics', { path: 'shop/prices.py' })
      counts.push(found.result.split('\n').filter((l) => / error \[/.test(l)).length - wrong)
      await f.acp.agent.request(methods.agent.session.close, { sessionId })
    }
    expect(counts).toEqual(Array(12).fill(0))
  })
  it('waits for the pushed report of the version it sent, not an earlier one, when diagnostics are not pulled', {
    timeout: 120_000,
  }, async () => {
    const counts: number[] = []
    for (let i = 0; i < 4; i++) {
      const dir = makeTempDir('punie-lsp-push-')
      project(dir.path)
      const client = new LspClient(dir.path, defaultPythonServer(), { pullDiagnostics: false })
      try {
        await client.ready
        const prices = join(dir.path, 'shop', 'prices.py')
        const uri = client.sync(prices, readFileSync(prices, 'utf8'))
        client.sync(
          join(dir.path, 'shop', 'cart.py'),
          readFileSync(join(dir.path, 'shop', 'cart.py'), 'utf8'),
        )
        await client.request('textDocument/hover', {
          textDocument: { uri },
          position: { line: 0, character: 5 },
        })
        // Changed before the server has reported on the first version: its late report must not count.
        client.sync(prices, 'a: int = "1"\nb: int = "2"\nc: int = "3"\n')
        counts.push((await client.diagnosticsFor(uri)).filter((d) => d.severity === 1).length)
      } finally {
        await client.shutdown()
        dir.remove()
      }
    }
    expect(counts).toEqual([3, 3, 3, 3])
  })
})

describe('a rename across files is one change set', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const lib = 'def compute(x: int) -> int:\n    return x * 2\n'
  const app = 'from lib import compute\n\n\ndef main() -> int:\n    return compute(3)\n'

  it('asks once with both diffs; rejected it changes neither file, allowed it changes both and says so', {
    timeout: 90_000,
  }, async () => {
    writeFileSync(join(f.workspace, 'lib.py'), lib)
    writeFileSync(join(f.workspace, 'app.py'), app)
    const ide = f.acp.ide as ScriptedIde
    const sessionId = await f.session()
    const rename = { path: 'lib.py', line: 1, symbol: 'compute', new_name: 'double' }

    ide.answerPermissions('reject_once')
    const rejected = await runTool(f, sessionId, 'rename_symbol', rename)
    expect(rejected.result).toMatch(/^Error: the user rejected Rename compute to double/)
    expect(ide.permissionRequests).toHaveLength(1)
    expect(ide.permissionRequests[0]?.toolCall).toMatchObject({
      kind: 'edit',
      content: [
        { type: 'diff', path: join(f.workspace, 'app.py'), oldText: app },
        { type: 'diff', path: join(f.workspace, 'lib.py'), oldText: lib },
      ],
    })
    expect(readFileSync(join(f.workspace, 'lib.py'), 'utf8')).toBe(lib)
    expect(readFileSync(join(f.workspace, 'app.py'), 'utf8')).toBe(app)

    ide.answerPermissions('allow_once')
    const allowed = await runTool(f, sessionId, 'rename_symbol', rename)
    expect(allowed.result).toBe('Renamed in 2 files (3 edits): app.py (2), lib.py (1)')
    expect(ide.permissionRequests).toHaveLength(2)
    expect(readFileSync(join(f.workspace, 'lib.py'), 'utf8')).toBe(lib.replace('compute', 'double'))
    expect(readFileSync(join(f.workspace, 'app.py'), 'utf8')).toBe(app.replaceAll('compute', 'double'))
  })
})

describe('lint fixes are a change set too', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })

  it('refuses fixes in read-only mode, and asks once for fixes across files in ask mode', async () => {
    writeFileSync(join(f.workspace, 'a.py'), 'import os\nx = 1\n')
    writeFileSync(join(f.workspace, 'b.py'), 'import sys\ny = 2\n')
    const ide = f.acp.ide as ScriptedIde
    const sessionId = await f.session()
    await setMode(f, sessionId, 'read-only')
    const report = await runTool(f, sessionId, 'lint', {})
    expect(report.result).toMatch(/^\d+ violations in 2 files\na\.py:1:8: F401/)
    const refused = await runTool(f, sessionId, 'lint', { fix: true })
    expect(refused.result).toMatch(/^Error: the session is in read-only mode/)
    expect(readFileSync(join(f.workspace, 'a.py'), 'utf8')).toBe('import os\nx = 1\n')

    await setMode(f, sessionId, 'ask')
    ide.answerPermissions('allow_once')
    const fixed = await runTool(f, sessionId, 'lint', { fix: true })
    expect(fixed.result).toMatch(/ violations in 2 files; fixed a\.py \(\+0 -1\), b\.py \(\+0 -1\)/)
    expect(readFileSync(join(f.workspace, 'a.py'), 'utf8')).toBe('x = 1\n')
    expect(ide.permissionRequests).toHaveLength(1)
    expect(ide.permissionRequests[0]?.toolCall.content).toHaveLength(2)
  })
})

describe('language server results stay inside the workspace', () => {
  const f = useProtocolFixture()
  const extra = makeTempDir('punie-outside-extra-')
  const linked = makeTempDir('punie-outside-link-')
  afterAll(() => {
    extra.remove()
    linked.remove()
  })

  function leakyProject(root: string) {
    writeFileSync(
      join(extra.path, 'secretmod.py'),
      'def leak() -> int:\n    """TOPSECRET-extra: the docstring of a file outside."""\n    return 1\n',
    )
    writeFileSync(
      join(linked.path, 'linkedmod.py'),
      'def peek() -> int:\n    """TOPSECRET-link: reached through a symlinked folder."""\n    return 2\n',
    )
    writeFileSync(join(root, 'pyrightconfig.json'), JSON.stringify({ extraPaths: [extra.path] }))
    symlinkSync(linked.path, join(root, 'linked'))
    writeFileSync(
      join(root, 'app.py'),
      [
        'import os.path',
        '',
        'from linked.linkedmod import peek',
        'from secretmod import leak',
        '',
        '',
        'def main() -> str:',
        '    leak()',
        '    peek()',
        '    return os.path.join("a", "b")',
        '',
      ].join('\n'),
    )
  }

  it('shows only a location for what lies outside, in read-only mode, and the standard library in full', {
    timeout: 90_000,
  }, async () => {
    leakyProject(f.workspace)
    const sessionId = await f.session()
    await setMode(f, sessionId, 'read-only')
    const read = await runTool(f, sessionId, 'read_file', { path: 'linked/linkedmod.py' })
    expect(read.result).toMatch(/outside the workspace/)

    const results: string[] = []
    for (const symbol of ['leak', 'peek']) {
      const line = symbol === 'leak' ? 8 : 9
      const hover = await runTool(f, sessionId, 'hover', { path: 'app.py', line, symbol })
      expect(hover.result).toMatch(/^Defined outside the workspace, at .*mod\.py:1$/)
      const definition = await runTool(f, sessionId, 'goto_definition', { path: 'app.py', line, symbol })
      expect(definition.result).toMatch(/mod\.py:1:5: \(outside the workspace\)$/)
      const references = await runTool(f, sessionId, 'find_references', { path: 'app.py', line, symbol })
      const symbols = await runTool(f, sessionId, 'workspace_symbols', { query: symbol })
      results.push(hover.result, definition.result, references.result, symbols.result)
    }
    for (const result of results) {
      expect(result).not.toContain('TOPSECRET')
      expect(result).not.toMatch(/def (leak|peek)/)
    }

    const join_ = await runTool(f, sessionId, 'hover', { path: 'app.py', line: 10, symbol: 'join' })
    expect(join_.result).toMatch(/def join\(/)
    expect(join_.result).toContain('Join two or more pathname components')
    const stdlib = await runTool(f, sessionId, 'goto_definition', {
      path: 'app.py',
      line: 10,
      symbol: 'join',
    })
    expect(stdlib.result).toMatch(/def join\(/)
  })

  it('refuses a rename whose edits reach a file outside the workspace, changing nothing', {
    timeout: 90_000,
  }, async () => {
    leakyProject(f.workspace)
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const app = readFileSync(join(f.workspace, 'app.py'), 'utf8')
    const renamed = await runTool(f, sessionId, 'rename_symbol', {
      path: 'app.py',
      line: 9,
      symbol: 'peek',
      new_name: 'glance',
    })
    expect(renamed.result).toMatch(/^Error: .*outside the workspace/)
    expect(readFileSync(join(linked.path, 'linkedmod.py'), 'utf8')).toContain('def peek()')
    expect(readFileSync(join(f.workspace, 'app.py'), 'utf8')).toBe(app)
  })
})

describe('typecheck from the warm language server', () => {
  const f = useProtocolFixture()

  function checkedProject(root: string) {
    project(root)
    mkdirSync(join(root, 'more'))
    writeFileSync(join(root, 'more', 'attrs.py'), 'import os\n\nos.nonexistent\nimport nosuchmodule\n')
    writeFileSync(
      join(root, 'more', 'flow.py'),
      'import random\n\nif random.random() > 0.5:\n    y = 1\nprint(y)\nreveal_type(1)\n\n\ndef unused() -> None:\n    z = 1\n',
    )
    writeFileSync(join(root, 'more', 'warn.py'), '[1, 2]\nx = 1\nx == 2\n')
    writeFileSync(join(root, 'more', 'stub.pyi'), 'def f(x: int) -> str: ...\nbad: int = "no"\n')
    mkdirSync(join(root, '.hidden'))
    writeFileSync(join(root, '.hidden', 'skipped.py'), 'x: int = "hidden"\n')
    mkdirSync(join(root, 'node_modules'))
    writeFileSync(join(root, 'node_modules', 'skipped.py'), 'x: int = "vendored"\n')
  }

  it('gives the result of the pyright CLI, from one server kept across calls', {
    timeout: 90_000,
  }, async () => {
    checkedProject(f.workspace)
    const { typecheck } = await import('../../src/devtools/pyright.js')
    const sessionId = await f.session()
    const before = ourServers()
    const outputs = []
    for (const path of [undefined, 'more', 'shop/prices.py']) {
      const cli = await typecheck(f.workspace, path ? join(f.workspace, path) : f.workspace)
      const run = await runTool(f, sessionId, 'typecheck', path ? { path } : {})
      const card = run.cards.find((c) => 'rawOutput' in c && c.rawOutput) as { rawOutput: typeof cli }
      const sorted = (r: typeof cli) => ({
        ...r,
        errors: [...r.errors].sort((a, b) => `${a.file}:${a.line}`.localeCompare(`${b.file}:${b.line}`)),
      })
      expect(sorted(card.rawOutput)).toEqual(sorted(cli))
      outputs.push(cli)
    }
    // A module deleted from disk is gone for the server too: its importers now fail to import it.
    rmSync(join(f.workspace, 'shop', 'prices.py'))
    const cli = await typecheck(f.workspace, f.workspace)
    const run = await runTool(f, sessionId, 'typecheck', {})
    expect(run.result).toBe((await import('../../src/tools/builtin/devtools.js')).typecheck.render(cli))
    expect(run.result).toMatch(/cart\.py:1:\d+: error \[reportMissingImports\]/)
    // And one created again (a new module on disk) is found again.
    writeFileSync(
      join(f.workspace, 'shop', 'prices.py'),
      'def total(prices: list[float]) -> int:\n    return 0\n',
    )
    const back = await runTool(f, sessionId, 'typecheck', {})
    expect(back.result).toBe(
      (await import('../../src/tools/builtin/devtools.js')).typecheck.render(
        await typecheck(f.workspace, f.workspace),
      ),
    )
    expect(back.result).not.toMatch(/reportMissingImports\]: Import "shop/)
    // The project has errors, warnings and information of several rules, so the comparison says something.
    expect(outputs[0]?.error_count).toBeGreaterThanOrEqual(4)
    expect(outputs[0]?.warning_count).toBeGreaterThanOrEqual(2)
    expect(new Set(outputs[0]?.errors.map((e) => e.rule)).size).toBeGreaterThanOrEqual(5)
    // One language server answered every call.
    expect(ourServers().filter((pid) => !before.includes(pid))).toHaveLength(1)
  })
})
