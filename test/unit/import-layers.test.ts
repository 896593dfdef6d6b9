// Every import in src/ runs downward, as the project's ARCHITECTURE.md draws it: surfaces → composition root →
// session → model/tools → workspace/devtools. The table below is the one statement of that order.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../../src')

/**
 * Modules, top layer first. A module may import its own files and modules of lower layers, never a module of
 * its own layer or above. A module is a folder or a single file; the longest match names a file's module.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  // Training runners and the grid search: they read datasets, run the eval runner and manage model servers.
  ['training'],
  // `punie mcp`: a surface over the session's tool-call path, using the client's diff rendering.
  ['mcp/server'],
  ['client'],
  // LoRA training: runners, log parsing, pipeline checks; scores models with `punie eval` (and, for tune, eval).
  ['training'],
  ['server', 'eval'],
  ['acp'],
  // MCP: servers' tools as registry tools for the ACP surface (client), registry tools served over MCP (server).
  ['mcp'],
  // The composition root every surface starts: store, models, tools and sessions wired from the settings.
  ['core'],
  // Reads the session store later (never during turns) into training examples.
  ['flywheel'],
  // Readers of the event stream, implementing the session's ports.
  ['store', 'perf'],
  ['session'],
  // Project knowledge: instructions files, skills, project rules.
  ['knowledge'],
  // Training examples: the canonical form, streaming JSONL, formats, checks; examples derived from tool definitions.
  ['dataset'],
  // The config file's schema names settings of every layer below the session.
  ['config'],
  ['codemode'],
  ['tools'],
  ['model'],
  // Project rules: read from the project's .punie/, run over files with devtools' parsers and processes.
  ['rules'],
  ['devtools'],
  ['workspace'],
  ['version.ts'],
  // Pure leaves with no project imports, used from every layer.
  // perf/svg.ts: the chart builders, shared by the perf report and the dataset stats page.
  [
    'log',
    'config/home.ts',
    'tools/limits.ts',
    'quote.ts',
    'processes.ts',
    'package-root.ts',
    'version.ts',
    'perf/svg.ts',
  ],
  // The charts' axis labels (formats, thinning), under perf/svg.ts.
  ['perf/axis.ts'],
]

/** Loops between files of one module that predate this test; each should go, none may be added. */
const KNOWN_FILE_CYCLES: readonly string[] = [
  'tools/define.ts → tools/permission.ts',
  'config/config-file.ts → config/project-trust.ts',
]

interface ImportEdge {
  from: string
  to: string
}

/** Relative imports of every .ts file under `root` (static, type-only, re-exports and dynamic). */
function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = []
  for (const file of tsFiles(root)) {
    const from = relative(root, file)
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue
      const to = relative(root, resolve(dirname(file), fileName)).replace(/\.js$/, '.ts')
      edges.push({ from, to })
    }
  }
  return edges
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return tsFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** The module a file belongs to (its longest matching table entry) and that module's layer. */
function moduleOf(file: string, layers = LAYERS): { module: string; layer: number } | undefined {
  let best: { module: string; layer: number } | undefined
  layers.forEach((modules, layer) => {
    for (const module of modules) {
      const matches = file === module || file.startsWith(`${module}/`)
      if (matches && module.length > (best?.module.length ?? -1)) best = { module, layer }
    }
  })
  return best
}

/** Imports that do not run downward, as "from → to (why)". */
function layerViolations(edges: readonly ImportEdge[], layers = LAYERS): string[] {
  const out: string[] = []
  for (const { from, to } of edges) {
    const a = moduleOf(from, layers)
    const b = moduleOf(to, layers)
    if (!a) out.push(`${from}: its module is not in the layer table`)
    if (!a || !b || a.module === b.module) continue
    if (b.layer <= a.layer) {
      const where = b.layer === a.layer ? 'its own layer' : 'a higher layer'
      out.push(`${from} → ${to} (${a.module} imports ${b.module}, ${where})`)
    }
  }
  return out
}

/** Every import loop of the graph, each as its members in order ("a → b"), by strongly connected components. */
function cycles(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v) as number)
    stack.push(v)
    onStack.add(v)
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) !== index.get(v)) return
    const members: string[] = []
    let w: string | undefined
    do {
      w = stack.pop() as string
      onStack.delete(w)
      members.push(w)
    } while (w !== v)
    if (members.length > 1) found.push(members.sort().join(' → '))
  }
  for (const node of nodes) if (!index.has(node)) visit(node)
  return found.sort()
}

function adjacency(pairs: Iterable<[string, string]>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  for (const [a, b] of pairs) {
    if (!graph.has(a)) graph.set(a, new Set())
    if (!graph.has(b)) graph.set(b, new Set())
    if (a !== b) graph.get(a)?.add(b)
  }
  return graph
}

describe('import layers', () => {
  const edges = importEdges(SRC)

  it('finds the imports of src/', () => {
    expect(edges.length).toBeGreaterThan(200)
    expect(edges).toContainEqual({ from: 'cli/main.ts', to: 'cli/program.ts' })
  })

  it('every import in src/ runs to a lower layer of the table', () => {
    expect(layerViolations(edges)).toEqual([])
  })

  it('no two modules import each other, directly or round about', () => {
    const graph = adjacency(
      edges.map(({ from, to }) => [moduleOf(from)?.module ?? from, moduleOf(to)?.module ?? to]),
    )
    expect(cycles(graph.keys(), (m) => graph.get(m) ?? [])).toEqual([])
  })

  it('no files import each other in a loop, besides the known ones', () => {
    const graph = adjacency(edges.map(({ from, to }) => [from, to]))
    expect(cycles(graph.keys(), (f) => graph.get(f) ?? [])).toEqual([...KNOWN_FILE_CYCLES].sort())
  })

  it('reports an upward import, an import within a layer and a loop', () => {
    const layers = [['top'], ['mid', 'side'], ['low']]
    const sample = [
      { from: 'low/a.ts', to: 'top/b.ts' },
      { from: 'mid/a.ts', to: 'side/b.ts' },
      { from: 'top/a.ts', to: 'low/b.ts' },
      { from: 'mid/a.ts', to: 'mid/c.ts' },
    ]
    expect(layerViolations(sample, layers)).toEqual([
      'low/a.ts → top/b.ts (low imports top, a higher layer)',
      'mid/a.ts → side/b.ts (mid imports side, its own layer)',
    ])
    const loop = adjacency([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['c', 'd'],
    ])
    expect(cycles(loop.keys(), (n) => loop.get(n) ?? [])).toEqual(['a → b → c'])
  })
})
