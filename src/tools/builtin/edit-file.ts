import { z } from 'zod'
import { defineTool } from '../define.js'
import { currentText, EditError, replaceExact } from './edit-support.js'

const input = z.object({
  path: z.string().min(1),
  old: z.string().describe('Exact text, whitespace included'),
  new: z.string(),
  replace_all: z.boolean().optional(),
})

async function planEdit(
  args: z.infer<typeof input>,
  ctx: { workspace: import('../../workspace/workspace.js').Workspace; signal: AbortSignal },
) {
  const before = await currentText(ctx.workspace, args.path, ctx.signal)
  if (before === null) throw new EditError(`${args.path} does not exist: use write_file to create it`)
  const after = replaceExact(before, args.old, args.new, args.replace_all ?? false)
  return { before, after: after.text, count: after.count }
}

export const editFile = defineTool({
  name: 'edit_file',
  description:
    'Edit a file by exact string replacement. Fails when `old` is missing, or occurs more than once without replace_all.',
  kind: 'edit',
  permission: 'ask',
  input,
  output: z.object({ path: z.string(), replacements: z.number().int() }),
  title: ({ path }) => `Edit ${path}`,
  locations: ({ path }) => [{ path }],
  permissionScope: ({ path }) => path,
  writes: ({ path }) => [path],
  preview: async (args, ctx) => {
    const edit = await planEdit(args, ctx)
    return [
      {
        type: 'diff',
        path: await ctx.workspace.resolve(args.path),
        oldText: edit.before,
        newText: edit.after,
      },
    ]
  },
  render: (out) => `Edited ${out.path}: ${out.replacements} replacement${out.replacements === 1 ? '' : 's'}`,
  run: async (args, ctx) => {
    const edit = await planEdit(args, ctx)
    await ctx.workspace.writeText(args.path, edit.after, ctx.signal)
    return { path: args.path, replacements: edit.count }
  },
})
