// One MCP server a session uses: started on first need (in the background at session start), listed once
// connected, and started again on the next use after it died. Failures are values with a message a person and a
// model can act on; nothing here throws at the session.
import { resolve } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  type CallToolResult,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  type Tool as McpToolInfo,
  type Prompt,
  PromptListChangedNotificationSchema,
  type Resource,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { McpServerSpec } from '../config/mcp-servers.js'
import type { Logger } from '../log/logger.js'
import { StdioServerTransport } from './client-stdio.js'

/** How long a server has to start and answer `initialize` and the first listings. */
export const DEFAULT_START_TIMEOUT_MS = 30_000
/** How long one call may go without an answer or a progress notification. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000
/** However much progress a call reports, it ends after this. */
const MAX_CALL_MS = 30 * 60_000
/** A server offering more than this is cut short (its listing says so in the log). */
const MAX_LISTED = 500
const MAX_PAGES = 20

export interface ServerListing {
  tools: McpToolInfo[]
  prompts: Prompt[]
  /** Whether the server offers resources at all (they are listed on demand). */
  resources: boolean
}

export type ServerState =
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'ready' }
  /** Failed to start, or died: `message` says why; the next use starts it again. */
  | { status: 'failed'; message: string }

/** What the model and the user read when a server cannot be used. */
export class McpServerError extends Error {
  override name = 'McpServerError'
}

export class McpTimeoutError extends Error {
  override name = 'TimeoutError'
}

export interface ConnectionOptions {
  spec: McpServerSpec
  /** Where a stdio server runs: the session's cwd. */
  cwd: string
  logger: Logger
  startTimeoutMs?: number
  callTimeoutMs?: number
  /** Told when the server's listing or state changes (connected, died, tools changed). */
  onChange(): void
}

export class McpConnection {
  private client: Client | undefined
  private starting: Promise<Client> | undefined
  private closed = false
  private transportNow: Transport | undefined
  private state: ServerState = { status: 'idle' }
  /** The last listing; kept after a death, so the session's tools stay and the next call restarts the server. */
  listing: ServerListing | undefined

  constructor(private readonly options: ConnectionOptions) {}

  get name(): string {
    return this.options.spec.name
  }

  get status(): ServerState {
    return this.state
  }

  /** The running server's client, starting it (again) if needed. */
  ensure(): Promise<Client> {
    if (this.closed) return Promise.reject(new McpServerError(`MCP server ${this.name} is closed`))
    if (this.client) return Promise.resolve(this.client)
    this.starting ??= this.start().finally(() => {
      this.starting = undefined
    })
    return this.starting
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; onProgress(progress: number, total?: number, message?: string): void },
  ): Promise<CallToolResult> {
    const client = await this.ensure()
    const timeoutMs = this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
    this.options.logger.info('MCP call %s.%s', this.name, name)
    try {
      // The SDK sends notifications/cancelled when the signal aborts, and stops waiting at once.
      return (await client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: MAX_CALL_MS,
        onprogress: (p) => options.onProgress(p.progress, p.total, p.message),
      })) as CallToolResult
    } catch (error) {
      throw this.explain(error, `${name}`, timeoutMs)
    }
  }

  async listResources(signal: AbortSignal): Promise<Resource[]> {
    const client = await this.ensure()
    try {
      return await paged(
        (cursor) => client.listResources(cursor ? { cursor } : {}, { signal }),
        (page) => page.resources,
      )
    } catch (error) {
      throw this.explain(error, 'resources/list', DEFAULT_CALL_TIMEOUT_MS)
    }
  }

  async readResource(uri: string, signal: AbortSignal) {
    const client = await this.ensure()
    const timeoutMs = this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
    try {
      return await client.readResource({ uri }, { signal, timeout: timeoutMs })
    } catch (error) {
      throw this.explain(error, 'resources/read', timeoutMs)
    }
  }

  async getPrompt(name: string, args: Record<string, string>, signal: AbortSignal) {
    const client = await this.ensure()
    try {
      return await client.getPrompt({ name, arguments: args }, { signal })
    } catch (error) {
      throw this.explain(error, `prompt ${name}`, DEFAULT_CALL_TIMEOUT_MS)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    this.client = undefined
    // A server still starting is stopped too, rather than waited for: its connect then fails at once.
    await Promise.all([client?.close(), this.transportNow?.close()].map((p) => p?.catch(() => undefined)))
    await this.starting?.catch(() => undefined)
  }

  private async start(): Promise<Client> {
    this.state = { status: 'starting' }
    const { spec, logger } = this.options
    const transport = this.transport()
    this.transportNow = transport
    const client = new Client({ name: 'punie', version: '0' }, { capabilities: {} })
    const timeout = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
    let ended = false
    transport.onclose = () => {
      if (ended) return
      ended = true
      if (this.client === client) this.client = undefined
      if (this.closed) return
      const message = `MCP server ${this.name} stopped${describeExit(transport)}; it starts again on its next use${lastWords(transport)}`
      logger.warn('%s', message)
      this.state = { status: 'failed', message }
      this.options.onChange()
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      const tools = await listTools(client, timeout).catch(() => undefined)
      if (tools && this.listing) {
        this.listing = { ...this.listing, tools }
        this.options.onChange()
      }
    })
    client.setNotificationHandler(PromptListChangedNotificationSchema, async () => {
      const prompts = await listPrompts(client, timeout).catch(() => undefined)
      if (prompts && this.listing) {
        this.listing = { ...this.listing, prompts }
        this.options.onChange()
      }
    })
    // What a server logs goes to Punie's log, cut short: it is for whoever debugs the server, not for the model.
    client.setNotificationHandler(LoggingMessageNotificationSchema, async ({ params }) => {
      const text = typeof params.data === 'string' ? params.data : JSON.stringify(params.data)
      logger.debug('MCP server %s %s: %s', this.name, params.level, (text ?? '').slice(0, 2000))
    })
    try {
      await client.connect(transport, { timeout })
      this.listing = await listServer(client, timeout)
    } catch (error) {
      ended = true
      await client.close().catch(() => undefined)
      if (this.closed) throw new McpServerError(`MCP server ${this.name} is closed`)
      const message = `MCP server ${this.name} could not start: ${startFailure(error, transport, spec)}`
      logger.warn('%s', message)
      this.state = { status: 'failed', message }
      this.options.onChange()
      throw new McpServerError(message)
    }
    if (this.closed) {
      await client.close().catch(() => undefined)
      throw new McpServerError(`MCP server ${this.name} is closed`)
    }
    this.client = client
    this.state = { status: 'ready' }
    logger.info(
      'MCP server %s ready: %d tools, %d prompts%s',
      this.name,
      this.listing.tools.length,
      this.listing.prompts.length,
      this.listing.resources ? ', resources' : '',
    )
    this.options.onChange()
    return client
  }

  private transport(): Transport {
    const { spec } = this.options
    if (spec.transport === 'stdio') {
      return new StdioServerTransport({
        command: spec.command,
        args: spec.args,
        env: spec.env,
        // A relative cwd (a project's .mcp.json) is the session directory's.
        cwd: spec.cwd ? resolve(this.options.cwd, spec.cwd) : this.options.cwd,
      })
    }
    const init = { requestInit: { headers: spec.headers } }
    return spec.transport === 'http'
      ? new StreamableHTTPClientTransport(new URL(spec.url), init)
      : new SSEClientTransport(new URL(spec.url), init)
  }

  /** An error of a request as the model reads it: a timeout, the server gone, or what the server said. */
  private explain(error: unknown, what: string, timeoutMs: number): Error {
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout)
      return new McpTimeoutError(
        `MCP server ${this.name} did not answer ${what} within ${timeoutMs / 1000} s (nor report progress)`,
      )
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      const failed = this.state.status === 'failed' ? this.state.message : `MCP server ${this.name} closed`
      return new McpServerError(failed)
    }
    if (error instanceof McpServerError || (error as Error)?.name === 'AbortError') return error as Error
    return new McpServerError(
      `MCP server ${this.name}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

async function listServer(client: Client, timeout: number): Promise<ServerListing> {
  const capabilities = client.getServerCapabilities() ?? {}
  const tools = capabilities.tools ? await listTools(client, timeout) : []
  const prompts = capabilities.prompts ? await listPrompts(client, timeout).catch(() => []) : []
  return { tools, prompts, resources: Boolean(capabilities.resources) }
}

function listPrompts(client: Client, timeout: number): Promise<Prompt[]> {
  return paged(
    (cursor) => client.listPrompts(cursor ? { cursor } : {}, { timeout }),
    (page) => page.prompts,
  )
}

function listTools(client: Client, timeout: number): Promise<McpToolInfo[]> {
  return paged(
    (cursor) => client.listTools(cursor ? { cursor } : {}, { timeout }),
    (page) => page.tools,
  )
}

async function paged<P extends { nextCursor?: string | undefined }, T>(
  fetch: (cursor: string | undefined) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES && all.length < MAX_LISTED; page++) {
    const answer = await fetch(cursor)
    all.push(...items(answer))
    cursor = answer.nextCursor
    if (!cursor) break
  }
  return all.slice(0, MAX_LISTED)
}

function describeExit(transport: Transport): string {
  if (!(transport instanceof StdioServerTransport)) return ' (the connection closed)'
  const exit = transport.exit
  return exit?.signal ? ` (killed by ${exit.signal})` : exit ? ` (exit code ${exit.code})` : ''
}

/** The end of the server's stderr, which often says why it stopped (not when it was killed: then it cannot). */
function lastWords(transport: Transport): string {
  if (!(transport instanceof StdioServerTransport) || transport.exit?.signal) return ''
  const said = transport.stderrTail()
  return said ? `. Its last output: ${lastLines(said)}` : ''
}

function startFailure(error: unknown, transport: Transport, spec: McpServerSpec): string {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' && spec.transport === 'stdio')
    return `no program ${JSON.stringify(spec.command)} (check the command, or give its full path)`
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout)
    return 'it did not answer initialize in time'
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)
    return `it stopped before it was ready${describeExit(transport)}${lastWords(transport)}`
  const base = error instanceof Error ? error.message : String(error)
  return `${base}${describeExit(transport)}${lastWords(transport)}`
}

function lastLines(text: string): string {
  return text.split('\n').slice(-5).join(' | ')
}
