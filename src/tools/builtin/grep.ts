import picomatch from 'picomatch'
import { z } from 'zod'
import { defineTool } from '../define.js'

const MAX_MATCHES = 100
const MAX_FILE_BYTES = 2 * 1024 * 1024
const MAX_LINE = 300

export const grep = defineTool({
  name: 'grep',
  description: `Search file contents for a regular expression (JavaScript syntax), skipping what .gitignore excludes. At most ${MAX_MATCHES} lines.`,
  kind: 'search',
  permission: 'never',
  input: z.object({
    pattern: z.string().min(1),
    path: z.string().optional(),
    glob: z.string().optional().describe('Only files matching this glob'),
    ignore_case: z.boolean().optional(),
  }),
  output: z.object({
    matches: z.array(z.object({ path: z.string(), line: z.number().int(), text: z.string() })),
    truncated: z.boolean(),
    filesSearched: z.number().int(),
  }),
  title: ({ pattern, path }) => `Search for /${pattern}/${path ? ` in ${path}` : ''}`,
  render: (out) =>
    out.matches.length
      ? [
          ...out.matches.map((m) => `${m.path}:${m.line}: ${m.text}`),
          ...(out.truncated ? [`[truncated at ${MAX_MATCHES} matches]`] : []),
        ].join('\n')
      : `No matches in ${out.filesSearched} files.`,
  run: async ({ pattern, path = '.', glob, ignore_case }, ctx) => {
    let regex: RegExp
    try {
      regex = new RegExp(pattern, ignore_case ? 'i' : '')
    } catch (error) {
      throw new Error(`invalid regular expression: ${(error as Error).message}`)
    }
    const base = await ctx.workspace.resolve(path)
    const include = glob ? picomatch(glob, { dot: true }) : () => true
    const matches: { path: string; line: number; text: string }[] = []
    let filesSearched = 0
    for await (const file of ctx.workspace.walkFiles(path, ctx.signal)) {
      if (!include(file.slice(base.length + 1))) continue
      const info = await ctx.workspace.stat(file)
      if (!info || info.size > MAX_FILE_BYTES) continue
      const text = await ctx.workspace.readDiskText(file, ctx.signal).catch(() => '')
      if (text.includes('\0')) continue
      filesSearched++
      const lines = text.split('\n')
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string
        if (!regex.test(line)) continue
        if (matches.length === MAX_MATCHES) return { matches, truncated: true, filesSearched }
        matches.push({
          path: ctx.workspace.display(file),
          line: i + 1,
          text: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line,
        })
      }
    }
    return { matches, truncated: false, filesSearched }
  },
})
