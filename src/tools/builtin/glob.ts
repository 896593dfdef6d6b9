import picomatch from 'picomatch'
import { z } from 'zod'
import { defineTool } from '../define.js'

const MAX_MATCHES = 200

export const glob = defineTool({
  name: 'glob',
  description: `Find files by glob pattern (e.g. "src/**/*.py"), skipping what .gitignore excludes. At most ${MAX_MATCHES} paths.`,
  kind: 'search',
  permission: 'never',
  input: z.object({
    pattern: z.string().min(1).describe('Glob pattern relative to `path`'),
    path: z.string().optional(),
  }),
  output: z.object({ paths: z.array(z.string()), truncated: z.boolean() }),
  title: ({ pattern, path }) => `Find ${pattern}${path ? ` in ${path}` : ''}`,
  render: (out) =>
    out.paths.length
      ? [...out.paths, ...(out.truncated ? [`[truncated at ${MAX_MATCHES} paths]`] : [])].join('\n')
      : 'No files match.',
  run: async ({ pattern, path = '.' }, ctx) => {
    const base = await ctx.workspace.resolve(path)
    const matches = picomatch(pattern, { dot: true })
    const paths: string[] = []
    let truncated = false
    for await (const file of ctx.workspace.walkFiles(path, ctx.signal)) {
      const rel = file.slice(base.length + 1)
      if (!matches(rel)) continue
      if (paths.length === MAX_MATCHES) {
        truncated = true
        break
      }
      paths.push(ctx.workspace.display(file))
    }
    return { paths, truncated }
  },
})
