// execute_code: the model's one Python snippet, run in the sandbox, with every tool callable as a function.
// Each call goes through the same validation, permission flow and tool cards as a direct call.
import { z } from 'zod'
import { defineTool, type NestedToolResult, type Tool } from '../tools/define.js'
import type { SandboxLimits } from './protocol.js'
import type { CodeSandbox, SandboxResult } from './sandbox.js'
import { parameterOrder, type ToolStubs } from './stubs.js'

export const EXECUTE_CODE = 'execute_code'

export interface CodeModeLimits extends SandboxLimits {
  /** Wall time for a run, tool calls included. */
  timeoutMs: number
  maxToolCalls: number
}

export const DEFAULT_CODE_LIMITS: CodeModeLimits = {
  timeoutMs: 30_000,
  maxDurationSecs: 30,
  maxMemoryBytes: 128 * 1024 * 1024,
  maxRecursionDepth: 200,
  maxToolCalls: 50,
  maxOutputChars: 20_000,
}

const PYTHON_EXCEPTION: Record<Extract<NestedToolResult, { ok: false }>['kind'], string> = {
  invalid: 'ValueError',
  not_found: 'FileNotFoundError',
  permission: 'PermissionError',
  timeout: 'TimeoutError',
  cancelled: 'RuntimeError',
  failed: 'RuntimeError',
}

export class CodeRunError extends Error {
  override name = 'CodeRunError'
}

const output = z.object({
  stdout: z.string(),
  stdoutTruncated: z.boolean(),
  result: z.unknown(),
  /** The value was bigger than the output cap; `result` is its beginning. */
  resultTruncated: z.boolean().optional(),
  toolCalls: z.number().int(),
  /** What the calls said beside their results (the project rules' issues after an edit in the code). */
  notes: z.array(z.string()).optional(),
})

export interface ExecuteCodeOptions {
  sandbox: () => CodeSandbox
  /** The tools the code may call. */
  tools: readonly Tool[]
  stubs: ToolStubs
  limits: CodeModeLimits
}

export function createExecuteCode(options: ExecuteCodeOptions): Tool {
  const byName = new Map(options.tools.map((t) => [t.name, t]))
  const tool = defineTool({
    name: EXECUTE_CODE,
    description: 'Run a Python snippet that calls the tools as functions.',
    kind: 'other',
    permission: 'never',
    asks: { via: 'calls' },
    input: z.object({
      code: z.string().min(1),
    }),
    output,
    title: ({ code }) => `Run Python (${code.split('\n').length} lines)`,
    preview: async ({ code }) => [{ type: 'text', text: `\`\`\`python\n${code}\n\`\`\`` }],
    content: (out) => (out.stdout ? [{ type: 'text', text: `\`\`\`\n${out.stdout}\n\`\`\`` }] : []),
    render: (out) =>
      [
        out.stdout
          ? `${out.stdout.replace(/\n$/, '')}${out.stdoutTruncated ? '\n[output truncated]' : ''}`
          : '(no output)',
        ...(out.result !== null && out.result !== undefined
          ? [
              `Result${out.resultTruncated ? ' (cut: too big to return whole; return a slice or a summary)' : ''}: ${JSON.stringify(out.result)}`,
            ]
          : []),
        `(${out.toolCalls} tool call${out.toolCalls === 1 ? '' : 's'})`,
        ...(out.notes ?? []),
      ].join('\n'),
    run: async ({ code }, ctx) => {
      let toolCalls = 0
      const notes: string[] = []
      const result = await options.sandbox().run({
        code,
        stubs: options.stubs,
        limits: options.limits,
        timeoutMs: options.limits.timeoutMs,
        signal: ctx.signal,
        onCall: async (name, args, kwargs) => {
          const tool = byName.get(name)
          if (!tool) return { ok: false, exception: 'NameError', message: `name '${name}' is not defined` }
          if (++toolCalls > options.limits.maxToolCalls) {
            return {
              ok: false,
              exception: 'RuntimeError',
              message: `more than ${options.limits.maxToolCalls} tool calls in one run`,
            }
          }
          const input = toInput(tool, args, kwargs)
          if (!input.ok) return { ok: false, exception: 'TypeError', message: input.message }
          const answer = await ctx.callTool(name, input.value)
          if (answer.ok && answer.notes) notes.push(...answer.notes)
          return answer.ok
            ? { ok: true, value: answer.output }
            : { ok: false, exception: PYTHON_EXCEPTION[answer.kind], message: answer.message }
        },
      })
      try {
        const out = outcome(result, toolCalls, options.limits)
        return notes.length ? { ...out, notes } : out
      } catch (error) {
        // The code failed after an edit: what the rules said about that edit still reaches the model.
        if (notes.length && error instanceof CodeRunError)
          throw new CodeRunError(`${error.message}\n${notes.join('\n')}`)
        throw error
      }
    },
  })
  return { ...tool, runsIn: 'sandbox' }
}

function outcome(result: SandboxResult, toolCalls: number, limits: CodeModeLimits) {
  const printed = result.stdout ? `Output before the error:\n${result.stdout}\n` : ''
  switch (result.status) {
    case 'ok':
      return {
        stdout: result.stdout,
        stdoutTruncated: result.stdoutTruncated,
        result: result.value,
        ...(result.valueCut ? { resultTruncated: true } : {}),
        toolCalls,
      }
    case 'error':
      if (result.kind === 'typing') {
        throw new CodeRunError(
          `the code was not run: it does not type-check against the tool functions:\n${result.message}`,
        )
      }
      throw new CodeRunError(`${printed}${result.traceback}`)
    case 'timeout':
      throw new CodeRunError(
        `${printed}TimeoutError: the code ran longer than ${limits.timeoutMs / 1000} s (tool calls included) and was stopped`,
      )
    case 'cancelled':
      throw new CodeRunError('cancelled by the user')
    case 'crashed':
      throw new CodeRunError(`${printed}the sandbox crashed: ${result.message}`)
  }
}

/** Python positional and keyword arguments → the tool's input object, by the stub's parameter order. */
function toInput(
  tool: Tool,
  args: unknown[],
  kwargs: Record<string, unknown>,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const names = parameterOrder(tool)
  if (args.length > names.length) {
    return {
      ok: false,
      message: `${tool.name}() takes ${names.length} positional arguments but ${args.length} were given`,
    }
  }
  const value: Record<string, unknown> = {}
  args.forEach((arg, i) => {
    value[names[i] as string] = arg
  })
  for (const [key, arg] of Object.entries(kwargs)) {
    if (key in value)
      return { ok: false, message: `${tool.name}() got multiple values for argument '${key}'` }
    value[key] = arg
  }
  // Python None for an optional parameter means "not given".
  for (const key of Object.keys(value)) if (value[key] === null) delete value[key]
  return { ok: true, value }
}
