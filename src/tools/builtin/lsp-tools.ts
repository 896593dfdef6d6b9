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
import type { LspClient } from '../../devtools/lsp/client.js'
import type { LspPool } from '../../devtools/lsp/pool.js'
import { locate } from '../../devtools/lsp/positions.js'
import { applyTextEdits } from '../../devtools/text-edits.js'
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

/** The session's language servers; the JSON-RPC client loads on first use, not with the agent. */
async function lspPool(ctx: ToolContext): Promise<LspPool> {
  const { LspPool, configuredServers } = await import('../../devtools/lsp/pool.js')
  return ctx.project.memo('lsp-pool', () => new LspPool(configuredServers(ctx.settings.languageServers)))
}

async function open(
  ctx: ToolContext,
  path: string,
): Promise<{ client: LspClient; uri: string; text: string }> {
  const { languageOf } = await import('../../devtools/lsp/pool.js')
  const language = languageOf(path)
  const absolute = await ctx.workspace.resolve(path)
  const text = await ctx.workspace.readText(path, {}, ctx.signal)
  const client = await (await lspPool(ctx)).client(ctx.project.root, language)
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
    const text = await ctx.workspace.readDiskText(file).catch(() => '')
    out.push({
      path: ctx.workspace.display(file),
      line: range.start.line + 1,
      column: range.start.character + 1,
      text: (text.split('\n')[range.start.line] ?? '').trim(),
    })
  }
  return out
}

const renderLocations = (locations: Loc[]) =>
  locations.length
    ? locations.map((l) => `${l.path}:${l.line}:${l.column}: ${l.text}`).join('\n')
    : 'Nothing found.'

export const gotoDefinition = defineTool({
  name: 'goto_definition',
  description: 'Where a symbol is defined (language server; 1-based positions).',
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
  description: 'Every reference to a symbol, its definition included.',
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
  description: "A symbol's type and documentation, as shown on hover.",
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
  description: 'The classes, functions and variables a file defines.',
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
    const walk = (items: (DocumentSymbol | SymbolInformation)[], container: string | null) => {
      for (const item of items) {
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
  description: 'Symbols across the workspace whose names match a query.',
  kind: 'search',
  permission: 'never',
  input: z.object({ query: z.string().min(1).describe('Part of a symbol name') }),
  output: z.object({ symbols: z.array(symbolRow) }),
  title: ({ query }) => `Find symbol ${query}`,
  render: (out) =>
    out.symbols.map((s) => `${s.path}:${s.line}: ${s.kind} ${s.name}`).join('\n') || 'No symbols match.',
  run: async ({ query }, ctx) => {
    const client = await (await lspPool(ctx)).client(ctx.project.root, 'python')
    const found = await client.request<SymbolInformation[] | null>('workspace/symbol', { query }, ctx.signal)
    return {
      symbols: (found ?? []).slice(0, 200).map((s) => ({
        name: s.name,
        kind: SYMBOL_KINDS[s.kind] ?? 'symbol',
        path: ctx.workspace.display(fileURLToPath(s.location.uri)),
        line: s.location.range.start.line + 1,
        container: s.containerName ?? null,
      })),
    }
  },
})

export const renameSymbol = defineTool({
  name: 'rename_symbol',
  description:
    'Rename a symbol everywhere it is used. Each changed file is written as an edit with its diff.',
  kind: 'edit',
  permission: 'never',
  input: position.extend({ new_name: z.string().min(1).describe('The new name') }),
  output: z.object({ files: z.array(z.string()), edits: z.number().int() }),
  title: ({ symbol, new_name }) => `Rename ${symbol ?? 'symbol'} to ${new_name}`,
  locations: ({ path, line }) => [{ path, line }],
  render: (out) =>
    out.files.length ? `Renamed in ${out.files.join(', ')} (${out.edits} edits)` : 'Nothing to rename.',
  run: async ({ path, line, symbol, column, new_name }, ctx) => {
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
    const files: string[] = []
    let count = 0
    for (const [uri, edits] of perFile) {
      const file = fileURLToPath(uri)
      const shown = ctx.workspace.display(file)
      const before = await ctx.workspace.readText(file, {}, ctx.signal)
      const result = await ctx.callTool('write_file', { path: shown, content: applyTextEdits(before, edits) })
      if (!result.ok) throw new Error(`could not write ${shown}: ${result.message}`)
      files.push(shown)
      count += edits.length
    }
    return { files, edits: count }
  },
})

const severities = ['', 'error', 'warning', 'information', 'hint'] as const

export const diagnostics = defineTool({
  name: 'diagnostics',
  description: "The language server's errors and warnings for a file, as the IDE underlines them.",
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
    const found = await doc.client.diagnosticsFor(doc.uri)
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
