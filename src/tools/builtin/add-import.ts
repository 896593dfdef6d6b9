import { z } from 'zod'
import { type ImportPlan, planImport } from '../../devtools/python-imports.js'
import { loadPython } from '../../devtools/python-syntax.js'
import { defineChangeSetTool, type FileChange } from '../change-set.js'
import { EditError } from './edit-support.js'

const input = z.object({
  path: z.string().min(1),
  module: z.string().min(1).describe('e.g. "os.path", ".models"'),
  name: z.string().min(1).optional().describe('Imported from the module: from module import name'),
  alias: z.string().min(1).optional(),
})

/** An edit like edit_file's: one diff, asked once; an import already there changes nothing and asks nothing. */
export const addImport = defineChangeSetTool({
  name: 'add_import',
  description:
    'Add a Python import where it belongs, unless already imported. An equivalent import already there changes nothing; else the diff is asked like an edit.',
  kind: 'edit',
  input,
  output: z.object({
    path: z.string(),
    added: z.boolean(),
    statement: z.string(),
    line: z.number().int(),
    merged: z.boolean(),
  }),
  title: ({ path, module, name }) => `Import ${name ? `${name} from ` : ''}${module} in ${path}`,
  locations: ({ path }) => [{ path }],
  permissionScope: ({ path }) => path,
  writes: ({ path }) => [path],
  plan: async (args, ctx) => {
    const absolute = await ctx.workspace.resolve(args.path)
    let text: string
    try {
      text = await ctx.workspace.readText(args.path, {}, ctx.signal)
    } catch (error) {
      if ((error as { name?: string }).name === 'WorkspaceFileNotFoundError')
        throw new EditError(`${args.path} does not exist: create it with write_file first`)
      throw error
    }
    const plan: ImportPlan = planImport(await loadPython(), text, {
      module: args.module,
      ...(args.name ? { name: args.name } : {}),
      ...(args.alias ? { alias: args.alias } : {}),
    })
    const changes: FileChange[] = plan.changed ? [{ path: absolute, oldText: text, newText: plan.text }] : []
    return { changes, result: plan }
  },
  finish: async ({ path }, { result }) =>
    result.changed
      ? { path, added: true, statement: result.statement, line: result.line, merged: result.merged }
      : { path, added: false, statement: result.statement, line: result.existing.line, merged: false },
  render: (out) =>
    out.added
      ? `Added \`${out.statement}\` to ${out.path} at line ${out.line}${out.merged ? ' (joined the existing import)' : ''}`
      : `${out.path} already imports it (line ${out.line}): nothing changed`,
})
