import { isAbsolute, join } from 'node:path'
import { z } from 'zod'
import { loadBashParser } from '../bash-parser.js'
import { commandScope, pathCandidates } from '../command-scope.js'
import { defineTool, type ToolContent } from '../define.js'
import { tailBytes } from '../limits.js'

const DEFAULT_TIMEOUT_MS = 120_000
/** The tail of a command's output the result keeps; the terminal itself keeps more. */
const RESULT_OUTPUT_BYTES = 16 * 1024
/** What a terminal keeps, the IDE's or a local one; the model sees the tail of it. */
const OUTPUT_BYTE_LIMIT = 1024 * 1024

export const exitSchema = z.object({ exitCode: z.number().int().nullable(), signal: z.string().nullable() })

/** Words of a command line examined as possible paths; a longer line is already judged on its parse. */
const MAX_NAMED_PATHS = 64

/**
 * Every word of the line that may name a path, relative to the workspace root, split coarsely at shell
 * punctuation with quotes dropped: the workspace then resolves each, symlinks followed (see sensitiveWrites).
 */
function namedPaths(command: string, cwd: string | undefined): string[] {
  return command
    .split(/[\s;&|()<>`]+/)
    .map((word) => word.replace(/\\(.)/gs, '$1').replace(/['"]/g, ''))
    .filter(Boolean)
    .slice(0, MAX_NAMED_PATHS)
    .flatMap(pathCandidates)
    .filter((path) => path && !path.startsWith('-'))
    .map((path) => (isAbsolute(path) || !cwd ? path : join(cwd, path)))
}

const output = z.object({
  command: z.string(),
  terminalId: z.string().optional(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  output: z.string(),
  truncated: z.boolean(),
  timedOut: z.boolean(),
  running: z.boolean(),
})

export const runCommand = defineTool({
  name: 'run_command',
  description:
    'Run a shell command; returns its exit code and output. Use background: true for servers and watchers, then get_terminal_output.',
  kind: 'execute',
  permission: 'ask',
  input: z.object({
    command: z.string().min(1).describe('Run by /bin/sh'),
    cwd: z.string().optional(),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(`Kill it after this long (default ${DEFAULT_TIMEOUT_MS})`),
    background: z.boolean().optional().describe('Return at once with a terminal id'),
  }),
  output,
  title: ({ command }) => command,
  locations: ({ cwd }) => (cwd ? [{ path: cwd }] : []),
  // A command started in .git/, or naming a path that resolves there (a symlink `link -> .git`), may write
  // there whatever its program: no grant covers it.
  writes: ({ command, cwd }) => [...(cwd ? [cwd] : []), ...namedPaths(command, cwd)],
  permissionScope: async ({ command }) => commandScope(command, await loadBashParser().catch(() => null)),
  content: (out) =>
    out.terminalId && out.running ? [] : [{ type: 'text', text: `\`\`\`\n${out.output}\n\`\`\`` }],
  render: (out) => {
    if (out.running)
      return `Started in the background as terminal ${out.terminalId}. Use get_terminal_output to read it.`
    const status = out.timedOut
      ? 'timed out and was killed'
      : out.signal
        ? `was killed by ${out.signal}`
        : `exited with code ${out.exitCode}`
    return `The command ${status}.\n${out.output || '(no output)'}${out.truncated ? '\n[earlier output dropped]' : ''}`
  },
  run: async ({ command, cwd, timeout_ms = DEFAULT_TIMEOUT_MS, background }, ctx) => {
    const workspace = ctx.workspace
    const terminalId = await workspace.createTerminal({
      command: '/bin/sh',
      args: ['-c', command],
      cwd: await workspace.resolve(cwd ?? '.'),
      outputByteLimit: OUTPUT_BYTE_LIMIT,
    })
    const live: ToolContent[] =
      workspace.backends.terminal === 'ide' ? [{ type: 'terminal', terminalId }] : []
    if (live.length) ctx.emit({ content: live })
    if (background) {
      return {
        command,
        terminalId,
        exitCode: null,
        signal: null,
        output: '',
        truncated: false,
        timedOut: false,
        running: true,
      }
    }
    let timedOut = false
    try {
      const timeout = AbortSignal.timeout(timeout_ms)
      try {
        await workspace.waitForTerminalExit(terminalId, AbortSignal.any([ctx.signal, timeout]))
      } catch (error) {
        if (ctx.signal.aborted) throw error
        timedOut = true
        await workspace.killTerminal(terminalId)
      }
      const result = await workspace.terminalOutput(terminalId)
      return {
        command,
        ...(live.length ? { terminalId } : {}),
        exitCode: result.exitStatus?.exitCode ?? null,
        signal: result.exitStatus?.signal ?? null,
        ...boundedOutput(result),
        timedOut,
        running: false,
      }
    } finally {
      await workspace.releaseTerminal(terminalId).catch(() => undefined)
    }
  },
})

/** A terminal's output as a tool result keeps it: the tail, and whether anything before it is missing. */
export function boundedOutput(result: { output: string; truncated: boolean }): {
  output: string
  truncated: boolean
} {
  const kept = tailBytes(result.output, RESULT_OUTPUT_BYTES)
  return { output: kept, truncated: result.truncated || kept.length < result.output.length }
}
