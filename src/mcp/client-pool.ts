// The MCP servers of one session: started in the background when the session opens (session/new never waits for
// them), their tools, resources and prompts offered as registry tools and slash commands, what went wrong told
// once to the user and the model, and every server closed with the session.
import type { Prompt } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { McpServerSpec, McpTrust } from '../config/mcp-servers.js'
import type { Logger } from '../log/logger.js'
import { defineTool, type Tool } from '../tools/define.js'
import { McpConnection } from './client-connection.js'
import { claimNames, mcpCommandName, mcpToolName, type NamedEntry } from './mcp-names.js'
import { contentText, mcpTool } from './mcp-tool.js'

/** How long a first turn waits for the servers to list their tools; one that comes later joins the next turn. */
export const FIRST_TURN_MCP_WAIT_MS = 10_000
const MAX_LISTED_RESOURCES = 200

export interface McpClientsOptions {
  servers: readonly McpServerSpec[]
  cwd: string
  trust: McpTrust
  callTimeoutMs?: number
  startTimeoutMs?: number
  logger: Logger
  /** Names MCP tools may not take: the built-ins and the IDE's. */
  reserved: () => ReadonlySet<string>
}

export interface McpCommand {
  name: string
  description: string
  hint?: string
}

export class McpClients {
  private readonly connections: McpConnection[]
  private readonly servers: readonly McpServerSpec[]
  private readonly notices: string[] = []
  private readonly listeners = new Set<() => void>()
  private cache: { version: number; tools: Tool[]; commands: McpCommand[] } | undefined
  private version = 0
  private readonly reported = new Set<string>()
  /** Settles once every server has started or failed. */
  readonly started: Promise<void>

  constructor(private readonly options: McpClientsOptions) {
    const servers = options.servers.filter((spec, i) => {
      const first = options.servers.findIndex((s) => s.name === spec.name) === i
      if (!first) this.notices.push(`MCP server ${spec.name} is named twice: only the first is started`)
      return first
    })
    this.servers = servers
    this.connections = servers.map(
      (spec) =>
        new McpConnection({
          spec,
          cwd: options.cwd,
          logger: options.logger,
          ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
          ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
          onChange: () => this.changed(spec.name),
        }),
    )
    // After the current request is answered: spawning a process is synchronous work session/new need not pay.
    this.started = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      await Promise.all(this.connections.map((c) => c.ensure().catch(() => undefined)))
    })
  }

  get size(): number {
    return this.connections.length
  }

  /** Told when the tools or commands change (a server came up, died, or changed its list). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** What went wrong since the last turn (a server that failed or stopped), once each. */
  takeNotices(): string[] {
    this.tools()
    return this.notices.splice(0)
  }

  /** The servers' tools as registry tools, plus a resource reader for each server that has resources. */
  tools(): Tool[] {
    return this.current().tools
  }

  commands(): McpCommand[] {
    return this.current().commands
  }

  /** A prompt of a server, by its command name, filled with `args`: the text the model is sent. */
  async expandCommand(name: string, args: string, signal: AbortSignal): Promise<string> {
    for (const connection of this.connections) {
      for (const prompt of connection.listing?.prompts ?? []) {
        if (mcpCommandName(connection.name, prompt.name) !== name) continue
        const values = promptArguments(prompt, args)
        if (typeof values === 'string') throw new McpCommandError(`/${name}: ${values}`)
        const answer = await connection.getPrompt(prompt.name, values, signal)
        return answer.messages
          .map((m) => {
            const text = contentText([m.content] as Parameters<typeof contentText>[0])
            return answer.messages.length > 1 ? `[${m.role}] ${text}` : text
          })
          .join('\n\n')
      }
    }
    throw new McpCommandError(`no MCP prompt /${name}`)
  }

  async dispose(): Promise<void> {
    this.listeners.clear()
    await Promise.all(this.connections.map((c) => c.close()))
  }

  private changed(server: string) {
    const connection = this.connections.find((c) => c.name === server)
    const state = connection?.status
    if (state?.status === 'failed') this.notices.push(state.message)
    this.version++
    for (const listener of this.listeners) listener()
  }

  private current() {
    if (this.cache?.version === this.version) return this.cache
    const wanted: NamedEntry<{ make: () => Tool; what: string }>[] = []
    const commands: McpCommand[] = []
    for (const connection of this.connections) {
      const listing = connection.listing
      if (!listing) continue
      const spec = this.servers.find((s) => s.name === connection.name) as McpServerSpec
      const origin = describeOrigin(spec)
      for (const info of listing.tools) {
        const name = mcpToolName(connection.name, info.name)
        wanted.push({
          name,
          entry: {
            what: `the tool ${info.name} of MCP server ${connection.name}`,
            make: () =>
              mcpTool(info, connection, { name, server: connection.name, origin, trust: this.options.trust }),
          },
        })
      }
      if (listing.resources) {
        for (const [suffix, make] of [
          ['list_resources', () => listResourcesTool(connection)],
          ['read_resource', () => readResourceTool(connection, this.options.trust)],
        ] as const) {
          const name = mcpToolName(connection.name, suffix)
          wanted.push({
            name,
            entry: { what: `the resource ${suffix} tool of MCP server ${connection.name}`, make },
          })
        }
      }
      for (const prompt of listing.prompts) {
        commands.push({
          name: mcpCommandName(connection.name, prompt.name),
          description: `${prompt.description ?? prompt.title ?? prompt.name} (MCP prompt of ${connection.name})`,
          ...(prompt.arguments?.length ? { hint: promptHint(prompt) } : {}),
        })
      }
    }
    const { kept, clashes } = claimNames(wanted, this.options.reserved(), (e) => e.what)
    for (const clash of clashes) {
      if (this.reported.has(clash)) continue
      this.reported.add(clash)
      this.options.logger.warn('%s', clash)
      this.notices.push(clash)
    }
    const made = kept.map((k) => {
      const tool = k.entry.make()
      return tool.name === k.name ? tool : { ...tool, name: k.name }
    })
    this.cache = { version: this.version, tools: made, commands }
    return this.cache
  }
}

export class McpCommandError extends Error {
  override name = 'McpCommandError'
}

function describeOrigin(spec: McpServerSpec): string {
  const where = spec.transport === 'stdio' ? [spec.command, ...spec.args].join(' ') : spec.url
  const from = { client: 'from the editor', user: 'from your config', project: "from the project's config" }[
    spec.origin
  ]
  return `${where.length > 200 ? `${where.slice(0, 200)}…` : where}, ${from}`
}

function listResourcesTool(connection: McpConnection): Tool {
  return defineTool({
    name: 'list_resources',
    description: `List the resources of the MCP server ${connection.name}.`,
    kind: 'search',
    permission: 'never',
    input: z.object({}),
    output: z.unknown(),
    title: () => `${connection.name}: list resources`,
    run: async (_input, ctx) => {
      const all = await connection.listResources(ctx.signal)
      const shown = all.slice(0, MAX_LISTED_RESOURCES).map((r) => ({
        uri: r.uri,
        name: r.name,
        ...(r.mimeType ? { mimeType: r.mimeType } : {}),
        ...(r.description ? { description: r.description.slice(0, 200) } : {}),
      }))
      return all.length > shown.length
        ? { resources: shown, more: all.length - shown.length }
        : { resources: shown }
    },
  })
}

function readResourceTool(connection: McpConnection, trust: McpTrust): Tool {
  // Reading is what a resource is for: a server the user trusts, or trusts for reading, is not asked about.
  const trusted = trust[connection.name] === true || trust[connection.name] === 'read-only'
  return defineTool({
    name: 'read_resource',
    description: `Read a resource of the MCP server ${connection.name}.`,
    kind: 'fetch',
    permission: trusted ? 'never' : 'ask',
    input: z.object({ uri: z.string().min(1) }),
    output: z.string(),
    title: ({ uri }) => `${connection.name}: read ${uri}`,
    run: async ({ uri }, ctx) => {
      const answer = await connection.readResource(uri, ctx.signal)
      return contentText(answer.contents.map((resource) => ({ type: 'resource' as const, resource })))
    },
  })
}

function promptHint(prompt: Prompt): string {
  return (prompt.arguments ?? []).map((a) => (a.required ? a.name : `[${a.name}]`)).join(' ')
}

/**
 * A slash command's text as a prompt's arguments: `key=value` pairs where given, else the words in order (the last
 * argument taking the rest). A string says what is missing.
 */
export function promptArguments(prompt: Prompt, text: string): Record<string, string> | string {
  const declared = prompt.arguments ?? []
  const values: Record<string, string> = {}
  const pairs = [...text.matchAll(/(\w[\w-]*)=("([^"]*)"|\S+)/g)]
  if (pairs.length && pairs.every((p) => declared.some((a) => a.name === p[1]))) {
    for (const p of pairs) values[p[1] as string] = p[3] ?? (p[2] as string)
  } else if (text.trim()) {
    const words = text.trim().split(/\s+/)
    declared.forEach((a, i) => {
      const value = i === declared.length - 1 ? words.slice(i).join(' ') : words[i]
      if (value) values[a.name] = value
    })
  }
  const missing = declared.filter((a) => a.required && !values[a.name]).map((a) => a.name)
  if (missing.length)
    return `the prompt ${prompt.name} needs ${missing.join(', ')}; give ${promptHint(prompt)} in order, or name=value`
  return values
}
