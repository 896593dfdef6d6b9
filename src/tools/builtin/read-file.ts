import { z } from 'zod'
import { defineTool } from '../define.js'
import { byteLength, formatBytes, headBytes } from '../limits.js'

const DEFAULT_LIMIT = 2000
/** Left under the result cap for the marker that says where to read on. */
const MARKER_ROOM = 512

export const readFile = defineTool({
  name: 'read_file',
  description:
    'Read a text file, optionally from a 1-based `line` for `limit` lines. A long file (by lines or bytes) is cut with a marker that says where to go on.',
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
    /** Set when one line alone is over the byte cap: its length, of which `content` is the beginning. */
    lineBytes: z.number().int().optional(),
  }),
  title: ({ path, line }) => (line ? `Read ${path}:${line}` : `Read ${path}`),
  locations: ({ path, line }) => [{ path, ...(line ? { line } : {}) }],
  render: (out) => {
    if (out.lineBytes !== undefined)
      return `${out.content}\n[truncated: line ${out.startLine} alone is ${formatBytes(out.lineBytes)}; showed its first ${formatBytes(byteLength(out.content))}. Use grep to find what you need in it${out.endLine < out.totalLines ? `, or read on with line=${out.endLine + 1}` : ''}]`
    return out.truncated
      ? `${out.content}\n[truncated: showed lines ${out.startLine}-${out.endLine} of ${out.totalLines}; pass line/limit to read more]`
      : out.content
  },
  run: async ({ path, line = 1, limit = DEFAULT_LIMIT }, ctx) => {
    const text = await ctx.workspace.readText(path, {}, ctx.signal)
    const lines = text.split('\n')
    const totalLines = text.endsWith('\n') ? lines.length - 1 : lines.length
    const start = Math.min(line, Math.max(totalLines, 1))
    const slice = lines.slice(start - 1, start - 1 + limit)
    const kept = fitLines(slice, ctx.settings.maxToolResultBytes - MARKER_ROOM)
    const endLine = Math.min(start - 1 + Math.max(kept.lines.length, 1), totalLines)
    return {
      path,
      content: kept.lines.join('\n'),
      startLine: start,
      endLine,
      totalLines,
      truncated: start > 1 || endLine < totalLines || kept.lineBytes !== undefined,
      ...(kept.lineBytes !== undefined ? { lineBytes: kept.lineBytes } : {}),
    }
  },
})

/** Whole lines up to `maxBytes`; a first line longer than that alone is cut, and its length reported. */
function fitLines(lines: string[], maxBytes: number): { lines: string[]; lineBytes?: number } {
  let used = 0
  for (let i = 0; i < lines.length; i++) {
    used += byteLength(lines[i] as string) + 1
    if (used <= maxBytes + 1) continue
    if (i > 0) return { lines: lines.slice(0, i) }
    const line = lines[0] as string
    return { lines: [headBytes(line, maxBytes)], lineBytes: byteLength(line) }
  }
  return { lines }
}
