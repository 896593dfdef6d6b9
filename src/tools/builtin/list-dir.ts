import { z } from 'zod'
import { defineTool } from '../define.js'

const MAX_ENTRIES = 500

export const listDir = defineTool({
  name: 'list_dir',
  description: `List a directory: names, types and sizes. At most ${MAX_ENTRIES} entries.`,
  kind: 'read',
  permission: 'never',
  input: z.object({
    path: z.string().optional().describe('Directory relative to the workspace root (default: the root)'),
  }),
  output: z.object({
    path: z.string(),
    entries: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['file', 'directory', 'symlink', 'other']),
        size: z.number().optional(),
      }),
    ),
    truncated: z.boolean(),
  }),
  title: ({ path }) => `List ${path ?? '.'}`,
  locations: ({ path }) => [{ path: path ?? '.' }],
  render: (out) =>
    [
      ...out.entries.map((e) =>
        e.type === 'directory' ? `${e.name}/` : e.size !== undefined ? `${e.name} (${e.size} B)` : e.name,
      ),
      ...(out.truncated ? [`[truncated at ${MAX_ENTRIES} entries]`] : []),
    ].join('\n') || '(empty directory)',
  run: async ({ path = '.' }, ctx) => {
    const entries = await ctx.workspace.listDir(path)
    return { path, entries: entries.slice(0, MAX_ENTRIES), truncated: entries.length > MAX_ENTRIES }
  },
})
