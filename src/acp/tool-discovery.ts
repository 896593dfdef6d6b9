// Tier 1 of tool discovery: an IDE that advertises `_meta.punie.discoverTools` and answers `_punie/discover_tools`
// with a catalog gets its tools offered to the model and called back through `_punie/tool_call`. A catalog tool
// named like a built-in replaces it.
import type { AgentContext } from '@agentclientprotocol/sdk'
import { z } from 'zod'
import { changesWorkspace, defineTool, type Tool } from '../tools/define.js'

export const DISCOVER_TOOLS_METHOD = '_punie/discover_tools'
export const TOOL_CALL_METHOD = '_punie/tool_call'
/** How long the catalog may take; it is asked for in the background, so this blocks no turn. */
const DISCOVERY_TIMEOUT_MS = 10_000
/** How long after session/new a first prompt waits for the catalog; one that comes later joins the next turn. */
export const FIRST_TURN_DISCOVERY_WAIT_MS = 300
const IDE_TOOL_TIMEOUT_MS = 60_000

const toolKind = z.enum(['read', 'edit', 'delete', 'move', 'search', 'execute', 'think', 'fetch', 'other'])

export const catalogSchema = z.object({
  tools: z.array(
    z.object({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      description: z.string(),
      inputSchema: z.record(z.string(), z.unknown()),
      kind: toolKind.optional(),
      requiresPermission: z.boolean().optional(),
      /** How long a call may take before it fails with a timeout (default 60 s). */
      timeoutMs: z.number().int().positive().optional(),
    }),
  ),
})

export type CatalogEntry = z.infer<typeof catalogSchema>['tools'][number]

/** The IDE's catalog, or undefined when the IDE does not offer one (or answers with something else). */
export async function discoverIdeTools(
  client: AgentContext,
  sessionId: string,
): Promise<CatalogEntry[] | undefined> {
  try {
    const answer = await client.request(
      DISCOVER_TOOLS_METHOD,
      { sessionId },
      { cancellationSignal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), stopWaitingOnCancel: true },
    )
    const parsed = catalogSchema.safeParse(answer)
    return parsed.success ? parsed.data.tools : undefined
  } catch {
    return undefined
  }
}

/** Settles when `work` does or `ms` have passed, whichever is first; never rejects. */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    work.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      () => {
        clearTimeout(timer)
        resolve()
      },
    )
  })
}

export function ideTool(entry: CatalogEntry, client: AgentContext, sessionId: string): Tool {
  const tool = defineTool({
    name: entry.name,
    description: entry.description,
    kind: entry.kind ?? 'other',
    permission: entry.requiresPermission ? 'ask' : 'never',
    input: z.record(z.string(), z.unknown()),
    output: z.unknown(),
    title: () => entry.name,
    writes: (args) => (changesWorkspace({ kind: entry.kind ?? 'other' }) ? pathArguments(args) : []),
    render: (output) => (typeof output === 'string' ? output : JSON.stringify(output)),
    run: async (args, ctx) => {
      const timeoutMs = entry.timeoutMs ?? IDE_TOOL_TIMEOUT_MS
      const timeout = AbortSignal.timeout(timeoutMs)
      let answer: { result?: unknown; error?: string }
      try {
        answer = await client.request<{ result?: unknown; error?: string }>(
          TOOL_CALL_METHOD,
          { sessionId, toolCallId: ctx.toolCallId, name: entry.name, arguments: args },
          { cancellationSignal: AbortSignal.any([ctx.signal, timeout]), stopWaitingOnCancel: true },
        )
      } catch (error) {
        if (timeout.aborted && !ctx.signal.aborted) throw new IdeToolTimeoutError(entry.name, timeoutMs)
        throw error
      }
      if (answer?.error) throw new Error(answer.error)
      return answer?.result ?? null
    },
  })
  return { ...tool, modelSchema: entry.inputSchema, runsIn: 'ide' }
}

/** The arguments of an IDE tool that may name what it writes: its schema is the IDE's, so judge by key. */
function pathArguments(args: Record<string, unknown>): string[] {
  return Object.entries(args)
    .filter(([key]) => /path|file|uri|dest|target|dir/i.test(key))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string')
}

export class IdeToolTimeoutError extends Error {
  override name = 'TimeoutError'
  constructor(tool: string, ms: number) {
    super(`the IDE did not answer ${tool} within ${ms / 1000} s`)
  }
}

/** Built-ins, with catalog tools added and same-named built-ins replaced by the IDE's. */
export function mergeTools(builtins: readonly Tool[], fromIde: readonly Tool[]): Tool[] {
  const ide = new Map(fromIde.map((t) => [t.name, t]))
  return [
    ...builtins.map((t) => ide.get(t.name) ?? t),
    ...fromIde.filter((t) => !builtins.some((b) => b.name === t.name)),
  ]
}
