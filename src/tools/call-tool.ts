// call_tool: how a model without Code Mode reaches a tool that is listed in the prompt rather than offered as a
// JSON tool (servers with constrained tool calls only let it name offered tools). The call itself goes
// through the same validation, permission flow and card as a direct call.
import { z } from 'zod'
import { defineTool, type Tool } from './define.js'

export const CALL_TOOL = 'call_tool'

export function createCallTool(tools: readonly Tool[]): Tool {
  const byName = new Map(tools.map((t) => [t.name, t]))
  return defineTool({
    name: CALL_TOOL,
    description: 'Call one of the listed tools by name.',
    kind: 'other',
    permission: 'never',
    input: z.object({
      name: z.string().min(1),
      arguments: z.record(z.string(), z.unknown()).optional(),
    }),
    output: z.object({ tool: z.string(), output: z.unknown() }),
    title: ({ name }) => `Call ${name}`,
    render: ({ tool, output }) => byName.get(tool)?.render(output) ?? JSON.stringify(output),
    run: async ({ name, arguments: args }, ctx) => {
      if (name === CALL_TOOL) throw new Error('call_tool cannot call itself; name the tool to call')
      const answer = await ctx.callTool(name, args ?? {})
      if (!answer.ok) {
        const hint = answer.kind === 'invalid' ? ' (tool_help describes its parameters)' : ''
        throw new Error(`${answer.message}${hint}`)
      }
      return { tool: name, output: answer.output }
    },
  })
}
