// `punie mcp`'s server: Punie's tools over MCP, run against a local workspace with the boundary a session in
// the same directory has. Each call goes through the session's own tool-call path (validation, preview,
// permission policy, output cap); where the policy asks, the MCP client is asked through elicitation.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  type CallToolRequest,
  type CallToolResult,
  ElicitResultSchema,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { DevtoolSettings } from '../../devtools/settings.js'
import type { Logger } from '../../log/logger.js'
import type { PermissionRequest } from '../../session/ports.js'
import { boundaryDirectories, disposeAll, ProjectPool, projectRootOf } from '../../session/project.js'
import { executeToolCall } from '../../session/tool-call.js'
import type { Tool } from '../../tools/define.js'
import type { PermissionMode, PermissionOutcome } from '../../tools/permission.js'
import { createRegistry } from '../../tools/registry.js'
import { LocalWorkspace } from '../../workspace/local.js'
import { canElicitForm, cannotAskMessage, elicitationFor, outcomeOf } from './permission.js'
import { ProgressReporter } from './progress.js'
import { callResult } from './results.js'
import { listedTools, mcpToolOf } from './tools.js'

export interface McpServerOptions {
  /** The workspace root: an absolute, existing directory. */
  root: string
  mode: PermissionMode
  /** The tools served (see servedTools). */
  tools: readonly Tool[]
  settings: DevtoolSettings
  logger: Logger
  version: string
  /** How long the user has to answer a permission request; no answer refuses the call. */
  permissionTimeoutMs?: number
  /** How often a call whose client asked for progress reports that it still runs. */
  progressBeatMs?: number
}

/**
 * tools/call as the base class parses it before any handler: loosely, so that a malformed request reaches the
 * SDK's own check, which answers -32602 (invalid params) with what is wrong, rather than -32603.
 */
const LOOSE_CALL_TOOL_REQUEST = z.object({ method: z.literal('tools/call'), params: z.unknown() })

export const DEFAULT_PERMISSION_TIMEOUT_MS = 5 * 60_000
const DEFAULT_PROGRESS_BEAT_MS = 5_000

export interface PunieMcpServer {
  connect(transport: Transport): Promise<void>
  /** Settles when the client has gone (or close was called). */
  readonly closed: Promise<void>
  /** Aborts running calls, then releases terminals and language servers. */
  close(): Promise<void>
}

export function createMcpServer(options: McpServerOptions): PunieMcpServer {
  const { root, mode, settings, logger } = options
  const project = projectRootOf(root)
  const workspace = new LocalWorkspace(
    root,
    boundaryDirectories({ cwd: root, project, additionalDirectories: [] }),
  )
  const projects = new ProjectPool({ idleMs: 0 })
  const projectHandle = projects.acquire(project)
  const memos = new Map<string, unknown>()
  // Writers and commands stay in the registry in read-only mode, so that a call is refused with the reason.
  const registry = createRegistry(options.tools)
  const listed = listedTools(options.tools, mode).map(mcpToolOf)
  const grants = { allowed: new Set<string>(), rejected: new Set<string>() }
  const shutdown = new AbortController()
  let calls = 0
  let nested = 0

  const server = new Server(
    { name: 'punie', version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        `Punie's coding tools (files, search, commands, Python dev tools, language servers, git) on the ` +
        `workspace ${root}. Paths are relative to it; nothing outside it can be reached. ` +
        `Permission mode: ${mode}.`,
    },
  )
  let resolveClosed: () => void = () => undefined
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  server.onclose = () => resolveClosed()
  server.onerror = (error) => logger.warn('mcp: %s', error.message)

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }))

  server.setRequestHandler(LOOSE_CALL_TOOL_REQUEST, async (raw, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = (raw as CallToolRequest).params
    const id = `mcp_${++calls}`
    const started = performance.now()
    const signal = AbortSignal.any([extra.signal, shutdown.signal])
    const token = (raw as CallToolRequest).params._meta?.progressToken
    const progress =
      token === undefined
        ? undefined
        : new ProgressReporter(
            {
              send: (value, message) =>
                extra.sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken: token, progress: value, message },
                }),
            },
            options.progressBeatMs ?? DEFAULT_PROGRESS_BEAT_MS,
          )
    // Set when a call is refused for a reason other than the user's no, to say so instead.
    let refusal: string | undefined
    const ask = async (asked: PermissionRequest, askSignal: AbortSignal): Promise<PermissionOutcome> => {
      if (!canElicitForm(server.getClientCapabilities())) {
        refusal = cannotAskMessage(asked)
        return 'reject_once'
      }
      try {
        const answer = await extra.sendRequest(
          { method: 'elicitation/create', params: elicitationFor(asked, (p) => workspace.display(p)) },
          ElicitResultSchema,
          { signal: askSignal, timeout: options.permissionTimeoutMs ?? DEFAULT_PERMISSION_TIMEOUT_MS },
        )
        logger.info('mcp %s: permission for %s: %s', id, asked.title, answer.action)
        return outcomeOf(answer)
      } catch (error) {
        if (askSignal.aborted) return 'cancelled'
        refusal = `${asked.toolName} was not run: the permission request to the MCP client failed (${(error as Error).message})`
        return 'reject_once'
      }
    }
    try {
      const outcome = await executeToolCall(
        { id, name, arguments: JSON.stringify(args ?? {}) },
        {
          sessionId: 'mcp',
          turnId: id,
          registry,
          workspace,
          signal,
          permissions: {
            mode,
            grants,
            remember: (key, allowed) => {
              ;(allowed ? grants.allowed : grants.rejected).add(key)
              ;(allowed ? grants.rejected : grants.allowed).delete(key)
            },
            ask,
            // A cancelled answer ends only this call: there is no turn around it.
            cancelTurn: () => undefined,
          },
          emit: (body) => progress?.onEvent(body),
          logger,
          memo: <T>(key: string, make: () => T): T => {
            if (!memos.has(key)) memos.set(key, make())
            return memos.get(key) as T
          },
          project: projectHandle,
          settings,
          newId: (prefix) => `${prefix}_${id}_${++nested}`,
        },
      )
      const ms = Math.round(performance.now() - started)
      logger.info('mcp %s %s: %s in %d ms', id, name, outcome.failure?.kind ?? 'ok', ms)
      if (refusal && outcome.failure?.kind === 'permission') {
        return { content: [{ type: 'text', text: `Error: ${refusal}` }], isError: true }
      }
      return callResult(outcome, settings.maxToolResultBytes)
    } finally {
      progress?.stop()
    }
  })

  let closing: Promise<void> | undefined
  return {
    connect: (transport) => server.connect(transport),
    closed,
    close: () => {
      closing ??= (async () => {
        shutdown.abort(new Error('the MCP server is shutting down'))
        await server.close().catch(() => undefined)
        await disposeAll(memos.values())
        memos.clear()
        await projectHandle.release()
        await projects.dispose()
        await workspace.dispose().catch(() => undefined)
        resolveClosed()
      })()
      return closing
    },
  }
}
