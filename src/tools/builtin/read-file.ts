import { z } from 'zod'
import { defineTool } from '../define.js'

const DEFAULT_LIMIT = 2000

export const readFile = defineTool({
  name: 'read_file',
  description:
    'Read a text file, optionally from a 1-based `line` for `limit` lines. A long file is cut with a marker.',
  kind: 'read',
  permission: 'never',
  input: z.object({
    path: z.string().min(1),
    line: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).optional().describe(`Default ${DEFAULT_LIMIT}`),
  }),
  output: z.object({
    path: z.string(),
    content: z.string(),
    startLine: z.number().int(),
    endLine: z.number().int(),
    totalLines: z.number().int(),
    truncated: z.boolean(),
  }),
  title: ({ path, line }) => (line ? `Read ${path}:${line}` : `Read ${path}`),
  locations: ({ path, line }) => [{ path, ...(line ? { line } : {}) }],
  render: (out) =>
    out.truncated
      ? `${out.content}\n[truncated: showed lines ${out.startLine}-${out.endLine} of ${out.totalLines}; pass line/limit to read more]`
      : out.content,
  run: async ({ path, line = 1, limit = DEFAULT_LIMIT }, ctx) => {
    const text = await ctx.workspace.readText(path, {}, ctx.signal)
    const lines = text.split('\n')
    const totalLines = text.endsWith('\n') ? lines.length - 1 : lines.length
    const start = Math.min(line, Math.max(totalLines, 1))
    const slice = lines.slice(start - 1, start - 1 + limit)
    const endLine = Math.min(start - 1 + slice.length, totalLines)
    return {
      path,
      content: slice.join('\n'),
      startLine: start,
      endLine,
      totalLines,
      truncated: start > 1 || endLine < totalLines,
    }
  },
})
