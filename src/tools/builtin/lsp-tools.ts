// Semantic navigation and refactoring through a language server (pyright by default): definitions, references,
// hover, symbols, rename and diagnostics. Positions are 1-based; a symbol given by name is found near its line.
import { fileURLToPath } from 'node:url'
import type {
  DocumentSymbol,
  Hover,
  Location,
  LocationLink,
  SymbolInformation,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol'
import { z } from 'zod'
import type { Whereabouts } from '../../devtools/lsp/boundary.js'
import type { LspClient } from '../../devtools/lsp/client.js'
import type { LspPool } from '../../devtools/lsp/pool.js'
import { locate } from '../../devtools/lsp/positions.js'
import type { TypecheckResult } from '../../devtools/pyright.js'
import { applyTextEdits } from '../../devtools/text-edits.js'
import { defineChangeSetTool, type FileChange } from '../change-set.js'
import { defineTool, type ToolContext } from '../define.js'

const SYMBOL_KINDS = [
  '',
  'file',
  'module',
  'namespace',
  'package',
  'class',
  'method',
  'property',
  'field',
  'constructor',
  'enum',
  'interface',
  'function',
  'variable',
  'constant',
  'string',
  'number',
  'boolean',
  'array',
  'object',
  'key',
  'null',
  'enum member',
  'struct',
  'event',
  'operator',
  'type parameter',
]

const position = z.object({
  path: z.string().min(1).describe('File relative to the workspace root'),
  line: z.number().int().min(1).describe('1-based line'),
  symbol: z.string().optional().describe('The symbol name; found on the line or the lines near it'),
  column: z.number().int().min(1).optional().describe('1-based column (needed when no symbol is given)'),
})

const location = z.object({
  path: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  text: z.string(),
})
type Loc = z.infer<typeof location>

/** The project's language servers; the JSON-RPC client loads on first use, not with the agent. */
async function lspPool(ctx: ToolContext): Promise<LspPool> {
  const { LspPool, configuredServers } = await import('../../devtools/lsp/pool.js')
  return ctx.project.memo('lsp-pool', () => new LspPool(configuredServers(ctx.settings.languageServers)))
}

/** The directories outside the workspace whose files results may show (asked of Python once per project). */
async function libraryRoots(ctx: ToolContext): Promise<string[]> {
  const boundary = await import('../../devtools/lsp/boundary.js')
  return ctx.project.memo('lsp-library-roots', () => boundary.libraryRoots())
}

/**
 * Where a file named in a server's answer lies: inside by the workspace's own boundary check (symlinks
 * resolved), else library or outside. Outside, a result shows no more than a location.
 */
async function whereIs(ctx: ToolContext, file: string): Promise<{ where: Whereabouts; real?: string }> {
  try {
    await ctx.workspace.resolve(file)
    return { where: 'inside' }
  } catch (error) {
    if ((error as { name?: string }).name !== 'WorkspaceBoundaryError') throw error
  }
  const { outsideWhereabouts } = await import('../../devtools/lsp/boundary.js')
  return outsideWhereabouts(file, await libraryRoots(ctx))
}

/** A running language server for the project, saying so on the tool card while one starts. */
async function lspClient(ctx: ToolContext, language: string): Promise<LspClient> {
  return (await lspPool(ctx)).client(ctx.project.root, language, () =>
    ctx.emit({ content: [{ type: 'text', text: `Starting the ${language} language server…` }] }),
  )
}

async function open(
  ctx: ToolContext,
  path: string,
): Promise<{ client: LspClient; uri: string; text: string }> {
  const { languageOf } = await import('../../devtools/lsp/pool.js')
  const language = languageOf(path)
  const absolute = await ctx.workspace.resolve(path)
  const text = await ctx.workspace.readText(path, {}, ctx.signal)
  const client = await lspClient(ctx, language)
  return { client, uri: client.sync(absolute, text), text }
}

/** The document of a position input, and where in it to ask. */
async function openAt(ctx: ToolContext, input: z.infer<typeof position>) {
  const doc = await open(ctx, input.path)
  const at = locate(doc.text, input.line, {
    ...(input.symbol ? { symbol: input.symbol } : {}),
    ...(input.column ? { column: input.column } : {}),
  })
  return { doc, at }
}

async function toLocations(
  ctx: ToolContext,
  found: Location | Location[] | LocationLink[] | null,
): Promise<Loc[]> {
  const list = !found ? [] : Array.isArray(found) ? found : [found]
  const out: Loc[] = []
  for (const item of list) {
    const uri = 'targetUri' in item ? item.targetUri : item.uri
    const range = 'targetSelectionRange' in item ? item.targetSelectionRange : item.range
    const file = fileURLToPath(uri)
    const { where, real } = await whereIs(ctx, file)
    const text =
      where === 'inside'
        ? await ctx.workspace.readDiskText(file).catch(() => '')
        : where === 'library' && real
          ? await readLibraryText(real)
          : ''
    out.push({
      path: ctx.workspace.display(file),
      line: range.start.line + 1,
      column: range.start.character + 1,
      text: where === 'outside' ? OUTSIDE : (text.split('\n')[range.start.line] ?? '').trim(),
    })
  }
  return out
}

/**
 * `typecheck` with pyright answered by the project's warm language server, where that gives the CLI's result:
 * the server is pyright, the project is the workspace root (so both read one configuration), and the files are
 * those the CLI would check. Undefined otherwise: the caller runs the CLI.
 */
export async function warmTypecheck(ctx: ToolContext, target: string): Promise<TypecheckResult | undefined> {
  if (ctx.settings.languageServers.python || ctx.project.root !== ctx.workspace.root) return undefined
  const info = await ctx.workspace.stat(target)
  if (!info) return undefined
  const warm = await import('../../devtools/pyright-server.js')
  const checkable = await warm.serverCheckableFiles(ctx.workspace.root, target, info.type === 'file')
  if (!checkable) return undefined
  const texts: { path: string; text: string }[] = []
  for (const file of checkable.files) {
    // The CLI reads the saved files; a file the workspace refuses (a symlink out) leaves it to the CLI.
    const text = await ctx.workspace.readDiskText(file, ctx.signal).catch(() => undefined)
    if (text === undefined) return undefined
    texts.push({ path: file, text })
  }
  const client = await lspClient(ctx, 'python')
  return warm.typecheckWithServer(client, ctx.workspace.root, texts, checkable.disk, ctx.signal)
}

const OUTSIDE = '(outside the workspace)'

async function readLibraryText(real: string): Promise<string> {
  return (await import('../../devtools/lsp/boundary.js')).readLibraryText(real)
}

const renderLocations = (locations: Loc[]) =>
  locations.length
    ? locations.map((l) => `${l.path}:${l.line}:${l.column}: ${l.text}`).join('\n')
    : 'Nothing found.'

export const gotoDefinition = defineTool({
  name: 'goto_definition',
  description: 'Where a symbol is defined. Positions are 1-based; the language server answers.',
  kind: 'search',
  permission: 'never',
  input: position,
  output: z.object({ locations: z.array(location) }),
  title: ({ path, line, symbol }) => `Definition of ${symbol ?? `${path}:${line}`}`,
  locations: ({ path, line }) => [{ path, line }],
  render: (out) => renderLocations(out.locations),
  run: async ({ path, line, symbol, column }, ctx) => {
    const { doc, at } = await openAt(ctx, { path, line, symbol, column })
    const found = await doc.client.request<Location | Location[] | LocationLink[] | null>(
      'textDocument/definition',
      { textDocument: { uri: doc.uri }, position: at },
      ctx.signal,
    )
    return { locations: await toLocations(ctx, found) }
  },
})

export const findReferences = defineTool({
  name: 'find_references',
  description: 'Every reference to a symbol. Its definition is included.',
  kind: 'search',
  permission: 'never',
  input: position,
  output: z.object({ locations: z.array(location) }),
  title: ({ path, line, symbol }) => `References to ${symbol ?? `${path}:${line}`}`,
  locations: ({ path, line }) => [{ path, line }],
  render: (out) => renderLocations(out.locations),
  run: async ({ path, line, symbol, column }, ctx) => {
    const { doc, at } = await openAt(ctx, { path, line, symbol, column })
    const found = await doc.client.request<Location[] | null>(
      'textDocument/references',
      { textDocument: { uri: doc.uri }, position: at, context: { includeDeclaration: true } },
      ctx.signal,
    )
    return { locations: await toLocations(ctx, found) }
  },
})

export const hover = defineTool({
  name: 'hover',
  description: "A symbol's type and documentation. As the IDE shows them on hover.",
  kind: 'read',
  permission: 'never',
  input: position,
  output: z.object({ contents: z.string() }),
  title: ({ path, line, symbol }) => `Hover ${symbol ?? `${path}:${line}`}`,
  locations: ({ path, line }) => [{ path, line }],
  render: (out) => out.contents || 'Nothing to show.',
  run: async ({ path, line, symbol, column }, ctx) => {
    const { doc, at } = await openAt(ctx, { path, line, symbol, column })
    const result = await doc.client.request<Hover | null>(
      'textDocument/hover',
      { textDocument: { uri: doc.uri }, position: at },
      ctx.signal,
    )
    const contents = result?.contents
    if (contents) {
      // Hover shows a definition's signature and docstring: from outside the workspace, only where it is.
      const definitions = await doc.client.request<Location | Location[] | LocationLink[] | null>(
        'textDocument/definition',
        { textDocument: { uri: doc.uri }, position: at },
        ctx.signal,
      )
      const outside = (await toLocations(ctx, definitions)).filter((l) => l.text === OUTSIDE)
      if (outside.length > 0)
        return {
          contents: `Defined outside the workspace, at ${outside.map((l) => `${l.path}:${l.line}`).join(', ')}`,
        }
    }
    const text = !contents
      ? ''
      : typeof contents === 'string'
        ? contents
        : Array.isArray(contents)
          ? contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')
          : contents.value
    return { contents: text }
  },
})

const symbolRow = z.object({
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  line: z.number().int(),
  container: z.string().nullable(),
})

export const documentSymbols = defineTool({
  name: 'document_symbols',
  description: 'Classes, functions and variables a file defines.',
  kind: 'read',
  permission: 'never',
  input: z.object({ path: z.string().min(1).describe('File relative to the workspace root') }),
  output: z.object({ symbols: z.array(symbolRow) }),
  title: ({ path }) => `Symbols of ${path}`,
  locations: ({ path }) => [{ path }],
  render: (out) =>
    out.symbols
      .map((s) => `${s.line}: ${s.kind} ${s.container ? `${s.container}.` : ''}${s.name}`)
      .join('\n') || 'No symbols.',
  run: async ({ path }, ctx) => {
    const doc = await open(ctx, path)
    const found = await doc.client.request<(DocumentSymbol | SymbolInformation)[] | null>(
      'textDocument/documentSymbol',
      { textDocument: { uri: doc.uri } },
      ctx.signal,
    )
    const symbols: z.infer<typeof symbolRow>[] = []
    // Symbols the server places in another file count only if that file is not outside the workspace.
    const elsewhere = new Set<string>()
    for (const item of found ?? []) {
      if ('location' in item && item.location.uri !== doc.uri) {
        const file = fileURLToPath(item.location.uri)
        if ((await whereIs(ctx, file)).where === 'outside') elsewhere.add(item.location.uri)
      }
    }
    const walk = (items: (DocumentSymbol | SymbolInformation)[], container: string | null) => {
      for (const item of items) {
        if ('location' in item && elsewhere.has(item.location.uri)) continue
        const range = 'selectionRange' in item ? item.selectionRange : item.location.range
        symbols.push({
          name: item.name,
          kind: SYMBOL_KINDS[item.kind] ?? 'symbol',
          path,
          line: range.start.line + 1,
          container,
        })
        if ('children' in item && item.children) walk(item.children, item.name)
      }
    }
    walk(found ?? [], null)
    return { symbols }
  },
})

export const workspaceSymbols = defineTool({
  name: 'workspace_symbols',
  description: 'Workspace symbols whose names match a query.',
  kind: 'search',
  permission: 'never',
  input: z.object({ query: z.string().min(1).describe('Part of a symbol name') }),
  output: z.object({ symbols: z.array(symbolRow) }),
  title: ({ query }) => `Find symbol ${query}`,
  render: (out) =>
    out.symbols.map((s) => `${s.path}:${s.line}: ${s.kind} ${s.name}`).join('\n') || 'No symbols match.',
  run: async ({ query }, ctx) => {
    const client = await lspClient(ctx, 'python')
    const found = await client.request<SymbolInformation[] | null>('workspace/symbol', { query }, ctx.signal)
    // A symbol's name is content: those in files outside the workspace (not library) are left out.
    const shown: SymbolInformation[] = []
    for (const symbol of found ?? []) {
      if (shown.length >= 200) break
      if ((await whereIs(ctx, fileURLToPath(symbol.location.uri))).where !== 'outside') shown.push(symbol)
    }
    return {
      symbols: shown.map((s) => ({
        name: s.name,
        kind: SYMBOL_KINDS[s.kind] ?? 'symbol',
        path: ctx.workspace.display(fileURLToPath(s.location.uri)),
        line: s.location.range.start.line + 1,
        container: s.containerName ?? null,
      })),
    }
  },
})

export const renameSymbol = defineChangeSetTool({
  name: 'rename_symbol',
  description:
    'Rename a symbol everywhere it is used. Every changed file is shown in one permission request with its diff and written all or nothing.',
  kind: 'edit',
  asks: { via: 'writes' },
  input: position.extend({ new_name: z.string().min(1).describe('The new name') }),
  output: z.object({
    files: z.array(z.string()),
    edits: z.number().int(),
    changes: z.array(z.object({ path: z.string(), edits: z.number().int() })),
  }),
  title: ({ symbol, new_name }) => `Rename ${symbol ?? 'symbol'} to ${new_name}`,
  locations: ({ path, line }) => [{ path, line }],
  render: (out) =>
    out.files.length
      ? `Renamed in ${out.files.length} files (${out.edits} edits): ${out.changes.map((c) => `${c.path} (${c.edits})`).join(', ')}`
      : 'Nothing to rename.',
  plan: async ({ path, line, symbol, column, new_name }, ctx) => {
    const { doc, at } = await openAt(ctx, { path, line, symbol, column })
    // Open every file that uses the symbol first, with its workspace text: the rename then covers them all,
    // also before the server has indexed the workspace, and edits what the user sees in the editor.
    const references = await doc.client.request<Location[] | null>(
      'textDocument/references',
      { textDocument: { uri: doc.uri }, position: at, context: { includeDeclaration: true } },
      ctx.signal,
    )
    for (const uri of new Set((references ?? []).map((r) => r.uri))) {
      const file = fileURLToPath(uri)
      doc.client.sync(file, await ctx.workspace.readText(file, {}, ctx.signal))
    }
    const edit = await doc.client.request<WorkspaceEdit | null>(
      'textDocument/rename',
      { textDocument: { uri: doc.uri }, position: at, newName: new_name },
      ctx.signal,
    )
    const perFile = new Map<string, { range: Location['range']; newText: string }[]>()
    for (const [uri, edits] of Object.entries(edit?.changes ?? {})) perFile.set(uri, [...edits])
    for (const change of edit?.documentChanges ?? []) {
      if ('textDocument' in change)
        perFile.set(change.textDocument.uri, [
          ...(perFile.get(change.textDocument.uri) ?? []),
          ...change.edits,
        ])
    }
    const changes: FileChange[] = []
    const edits = new Map<string, number>()
    for (const [uri, fileEdits] of perFile) {
      // A file outside the workspace is refused here (read through the workspace), so the whole rename is.
      const file = await ctx.workspace.resolve(fileURLToPath(uri))
      const before = await ctx.workspace.readText(file, {}, ctx.signal)
      changes.push({ path: file, oldText: before, newText: applyTextEdits(before, fileEdits) })
      edits.set(file, fileEdits.length)
    }
    return { changes, edits }
  },
  finish: async (_input, plan, applied) => {
    const changes = plan.changes.map((c, i) => ({
      path: applied[i]?.path ?? c.path,
      edits: plan.edits.get(c.path) ?? 0,
    }))
    return {
      files: changes.map((c) => c.path),
      edits: changes.reduce((n, c) => n + c.edits, 0),
      changes,
    }
  },
})

const severities = ['', 'error', 'warning', 'information', 'hint'] as const

export const diagnostics = defineTool({
  name: 'diagnostics',
  description: "A file's errors and warnings from the language server. As the IDE underlines them.",
  kind: 'read',
  permission: 'never',
  input: z.object({ path: z.string().min(1).describe('File relative to the workspace root') }),
  output: z.object({
    diagnostics: z.array(
      z.object({
        line: z.number().int(),
        column: z.number().int(),
        severity: z.string(),
        code: z.string().nullable(),
        message: z.string(),
      }),
    ),
  }),
  title: ({ path }) => `Diagnostics of ${path}`,
  locations: ({ path }) => [{ path }],
  render: (out) =>
    out.diagnostics
      .map((d) => `${d.line}:${d.column}: ${d.severity}${d.code ? ` [${d.code}]` : ''}: ${d.message}`)
      .join('\n') || 'No problems.',
  run: async ({ path }, ctx) => {
    const doc = await open(ctx, path)
    const found = await doc.client.diagnosticsFor(doc.uri, ctx.signal)
    return {
      diagnostics: found.map((d) => ({
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: severities[d.severity ?? 1] ?? 'error',
        code: d.code === undefined ? null : String(d.code),
        message: d.message,
      })),
    }
  },
})
