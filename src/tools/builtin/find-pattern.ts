import { z } from 'zod'
import {
  loadPython,
  matchesIn,
  PATTERN_KINDS,
  patternQuery,
  SyntaxQueryError,
} from '../../devtools/python-syntax.js'
import { sourceFiles } from '../../devtools/source-files.js'
import { defineTool } from '../define.js'

const MAX_MATCHES = 200
const MAX_FILES = 2000
const MAX_FILE_BYTES = 1024 * 1024
const PYTHON = ['.py', '.pyi']

const match = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  node_type: z.string(),
  capture: z.string(),
  snippet: z.string(),
})

export const findPattern = defineTool({
  name: 'find_pattern',
  description:
    'Find Python code by syntax: a pattern (by name too) or a tree-sitter query. Unlike grep, it skips comments and strings; each match has file, line, column, node type and snippet.',
  kind: 'search',
  permission: 'never',
  input: z.object({
    pattern: z.enum(PATTERN_KINDS).optional(),
    name: z.string().min(1).optional().describe('With pattern: only this name (`get` also finds `app.get`)'),
    query: z
      .string()
      .min(1)
      .optional()
      .describe('A tree-sitter query instead of pattern; captures named @_x are not reported'),
    path: z.string().optional(),
    glob: z.string().optional().describe('Only files matching this glob'),
  }),
  output: z.object({
    matches: z.array(match),
    filesSearched: z.number().int(),
    truncated: z.boolean(),
  }),
  title: ({ pattern, name, query, path }) =>
    `Find ${query ? 'query' : `${pattern ?? 'pattern'}${name ? ` ${name}` : ''}`}${path ? ` in ${path}` : ''}`,
  render: (out) =>
    [
      ...(out.matches.length
        ? out.matches.map((m) => `${m.file}:${m.line}:${m.column}: ${m.capture} ${m.node_type}: ${m.snippet}`)
        : [`No matches in ${out.filesSearched} Python files.`]),
      ...(out.truncated ? [`[truncated: at most ${MAX_MATCHES} matches and ${MAX_FILES} files]`] : []),
    ].join('\n'),
  run: async ({ pattern, name, query, path = '.', glob }, ctx) => {
    if ((pattern === undefined) === (query === undefined))
      throw new SyntaxQueryError(
        'give either pattern (with an optional name) or query, not both or neither',
        0,
      )
    if (name !== undefined && pattern === undefined)
      throw new SyntaxQueryError(
        'name goes with pattern; in a query, use a predicate such as (#eq? @n "x")',
        0,
      )
    const syntax = await loadPython()
    const compiled = syntax.compile(query ?? patternQuery(pattern as (typeof PATTERN_KINDS)[number]))
    try {
      const found = await sourceFiles(
        ctx.workspace,
        { path, ...(glob ? { glob } : {}), extensions: PYTHON, maxFiles: MAX_FILES },
        ctx.signal,
      )
      const matches: z.infer<typeof match>[] = []
      let truncated = found.truncated
      let filesSearched = 0
      for (const file of found.files) {
        ctx.signal.throwIfAborted()
        if (((await ctx.workspace.stat(file))?.size ?? 0) > MAX_FILE_BYTES) continue
        const text = await ctx.workspace.readDiskText(file, ctx.signal).catch(() => undefined)
        if (text === undefined || text.includes('\0')) continue
        filesSearched++
        const left = MAX_MATCHES - matches.length
        const result = syntax.withTree(text, (root) =>
          matchesIn(
            root,
            compiled,
            { maxMatches: left },
            pattern && name ? { kind: pattern, name } : undefined,
          ),
        )
        const display = ctx.workspace.display(file)
        for (const m of result.matches)
          matches.push({
            file: display,
            line: m.line,
            column: m.column,
            node_type: m.nodeType,
            capture: m.capture,
            snippet: m.snippet,
          })
        if (result.truncated || matches.length >= MAX_MATCHES) {
          truncated = true
          break
        }
      }
      return { matches, filesSearched, truncated }
    } finally {
      compiled.delete()
    }
  },
})
