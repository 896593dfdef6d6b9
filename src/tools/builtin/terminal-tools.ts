// Tools for commands started with run_command in the background.
import { z } from 'zod'
import { defineTool } from '../define.js'
import { boundedOutput, exitSchema } from './run-command.js'

const terminalId = z.object({
  terminal_id: z.string().min(1).describe('Id returned by run_command with background: true'),
})

export const getTerminalOutput = defineTool({
  name: 'get_terminal_output',
  description: "A background command's output so far and exit status. The status is set once it ends.",
  kind: 'read',
  permission: 'never',
  input: terminalId,
  output: z.object({ output: z.string(), truncated: z.boolean(), exit: exitSchema.nullable() }),
  title: ({ terminal_id }) => `Output of ${terminal_id}`,
  render: (out) =>
    `${out.exit ? `Exited with code ${out.exit.exitCode}${out.exit.signal ? ` (${out.exit.signal})` : ''}.` : 'Still running.'}\n${out.truncated ? '[earlier output dropped]\n' : ''}${out.output}`,
  run: async ({ terminal_id }, ctx) => {
    const out = await ctx.workspace.terminalOutput(terminal_id)
    return { ...boundedOutput(out), exit: out.exitStatus ?? null }
  },
})

export const waitForTerminalExit = defineTool({
  name: 'wait_for_terminal_exit',
  description:
    'Wait for a background command to exit. Returns its exit status, or none when timeout_ms passes first.',
  kind: 'execute',
  permission: 'never',
  input: terminalId.extend({
    timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Give up waiting after this long (default 60000)'),
  }),
  output: z.object({ exit: exitSchema.nullable(), timedOut: z.boolean() }),
  title: ({ terminal_id }) => `Wait for ${terminal_id}`,
  run: async ({ terminal_id, timeout_ms = 60_000 }, ctx) => {
    try {
      const exit = await ctx.workspace.waitForTerminalExit(
        terminal_id,
        AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout_ms)]),
      )
      return { exit, timedOut: false }
    } catch (error) {
      if (ctx.signal.aborted) throw error
      return { exit: null, timedOut: true }
    }
  },
})

export const killTerminal = defineTool({
  name: 'kill_terminal',
  description:
    'Stop a background command. Its whole process group ends; its output stays readable until released.',
  kind: 'execute',
  permission: 'never',
  input: terminalId,
  output: z.object({ killed: z.boolean() }),
  title: ({ terminal_id }) => `Kill ${terminal_id}`,
  run: async ({ terminal_id }, ctx) => {
    await ctx.workspace.killTerminal(terminal_id)
    return { killed: true }
  },
})

export const releaseTerminal = defineTool({
  name: 'release_terminal',
  description:
    "Free a background command's terminal. A command still running is stopped; its id is invalid afterwards.",
  kind: 'execute',
  permission: 'never',
  input: terminalId,
  output: z.object({ released: z.boolean() }),
  title: ({ terminal_id }) => `Release ${terminal_id}`,
  run: async ({ terminal_id }, ctx) => {
    await ctx.workspace.releaseTerminal(terminal_id)
    return { released: true }
  },
})
