// tool_help: the "tool search" half of a lean prompt. The prompt lists most tools in one line each; this tool
// answers with a tool's whole description, its parameters and its result shape, only when the model asks.
// It is a JSON tool and, in Code Mode, a function like any other.
import { z } from 'zod'
import { defineTool, type Tool } from '../tools/define.js'
import { compactSchema, inputJsonSchema } from '../tools/registry.js'
import { helpStub, signatureLine } from './stubs.js'

export const TOOL_HELP = 'tool_help'
const MAX_NAMES = 8

export interface ToolHelpOptions {
  /** The tools it can describe. */
  tools: readonly Tool[]
  /** JSON parameters too, for models that call the tools as JSON (through call_tool); Python stubs always. */
  json: boolean
}

const entry = z.object({
  name: z.string(),
  python: z.string(),
  parameters: z.record(z.string(), z.unknown()).optional(),
})

const output = z.object({
  tools: z.array(entry),
  unknown: z.array(z.object({ name: z.string(), similar: z.array(z.string()) })),
  available: z.array(z.string()).optional(),
  /** Names past the cap, left for another call. */
  later: z.array(z.string()).optional(),
})

export function createToolHelp(options: ToolHelpOptions): Tool {
  const byName = new Map(options.tools.map((t) => [t.name, t]))
  return defineTool({
    name: TOOL_HELP,
    description: 'Describe tools in full: parameters and result fields. With no names, list them all.',
    kind: 'think',
    permission: 'never',
    input: z.object({
      names: z.array(z.string()).optional(),
    }),
    output,
    title: ({ names }) => (names?.length ? `Describe ${names.join(', ')}` : 'List the tools'),
    render: renderHelp,
    run: async ({ names: asked }) => {
      if (!asked?.length) return { tools: [], unknown: [], available: options.tools.map(signatureLine) }
      const names = asked.slice(0, MAX_NAMES)
      const known = names.map((n) => byName.get(n)).filter((t): t is Tool => t !== undefined)
      return {
        tools: known.map((tool) => ({
          name: tool.name,
          python: helpStub(tool),
          ...(options.json ? { parameters: compactSchema(inputJsonSchema(tool)) } : {}),
        })),
        unknown: names
          .filter((n) => !byName.has(n))
          .map((name) => ({ name, similar: similarNames(name, [...byName.keys()]) })),
        ...(asked.length > MAX_NAMES ? { later: asked.slice(MAX_NAMES) } : {}),
      }
    },
  })
}

function renderHelp(out: z.infer<typeof output>): string {
  return [
    ...(out.available ?? []),
    ...out.tools.map((t) =>
      [
        ...(t.parameters ? [`${t.name} parameters: ${JSON.stringify(t.parameters)}`] : []),
        `\`\`\`python\n${t.python}\n\`\`\``,
      ].join('\n'),
    ),
    ...out.unknown.map(
      (u) =>
        `No tool named ${u.name}${u.similar.length ? `; similar: ${u.similar.join(', ')}` : ''}. tool_help() lists every tool.`,
    ),
    ...(out.later?.length ? [`Not described (${MAX_NAMES} at a time): ${out.later.join(', ')}.`] : []),
  ].join('\n')
}

/** Names that share a word with the asked-for one (`symbols` finds document_symbols and workspace_symbols). */
export function similarNames(name: string, names: readonly string[]): string[] {
  const words = new Set(
    name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2),
  )
  return names
    .filter((n) =>
      n
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .some((w) => words.has(w) || name.includes(n)),
    )
    .slice(0, 5)
}
