import { z } from 'zod'
import { defineTool } from '../define.js'
import { currentText } from './edit-support.js'

export const writeFile = defineTool({
  name: 'write_file',
  description: 'Create or overwrite a file (parent directories too).',
  kind: 'edit',
  permission: 'ask',
  input: z.object({
    path: z.string().min(1),
    content: z.string().describe('The whole new content'),
  }),
  output: z.object({ path: z.string(), created: z.boolean(), bytes: z.number().int() }),
  title: ({ path }) => `Write ${path}`,
  locations: ({ path }) => [{ path }],
  permissionScope: ({ path }) => path,
  writes: ({ path }) => [path],
  preview: async ({ path, content }, ctx) => [
    {
      type: 'diff',
      path: await ctx.workspace.resolve(path),
      oldText: await currentText(ctx.workspace, path, ctx.signal),
      newText: content,
    },
  ],
  render: (out) => `${out.created ? 'Created' : 'Wrote'} ${out.path} (${out.bytes} bytes)`,
  run: async ({ path, content }, ctx) => {
    const before = await currentText(ctx.workspace, path, ctx.signal)
    await ctx.workspace.writeText(path, content, ctx.signal)
    return { path, created: before === null, bytes: Buffer.byteLength(content) }
  },
})
