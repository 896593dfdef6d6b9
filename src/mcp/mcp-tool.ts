// An MCP server's tool as a registry tool: its own JSON schema for the model and the Code Mode stub, every call
// through the permission flow (asking unless the user's `mcpTrust` says otherwise), progress on the card, the
// turn's cancel sent as MCP cancellation, and the result as a typed value: the structured content when the
// server gives one, else its text. `isError` results fail the call with the server's words.
import type { CallToolResult, Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { type McpTrust, trustOf } from '../config/mcp-servers.js'
import { defineTool, type Tool, type ToolLocation } from '../tools/define.js'
import { formatBytes, headBytes } from '../tools/limits.js'
import type { McpConnection } from './client-connection.js'

/** What one call's text may hold before the model's own cap (maxToolResultBytes) even applies. */
export const MAX_MCP_TEXT_BYTES = 1024 * 1024

/** The server said the call failed (`isError`): its message is what the model reads. */
export class McpToolError extends Error {
  override name = 'McpToolError'
}

export interface McpToolOptions {
  /** The name the model calls it by (mcp-names.ts). */
  name: string
  server: string
  /** How the server is started, shown with each permission request. */
  origin: string
  trust: McpTrust | undefined
}

export function mcpTool(info: McpToolInfo, connection: McpConnection, options: McpToolOptions): Tool {
  const readOnly = info.annotations?.readOnlyHint === true
  const trusted = trustOf(options.trust, options.server, info.name, readOnly)
  // The server's annotations are its own claims: they change nothing unless the user said to believe them.
  const trustedRead = readOnly && options.trust?.[options.server] === 'read-only'
  const tool = defineTool({
    name: options.name,
    description: describe(info, options.server),
    // Like a command: an MCP tool can do anything, so read-only mode leaves it out and accept-edits still asks.
    kind: trustedRead ? 'read' : 'execute',
    permission: trusted ? 'never' : 'ask',
    input: z.record(z.string(), z.unknown()),
    output: z.unknown(),
    title: (args) => callTitle(options.server, info.name, args),
    locations: (args) => pathLocations(args),
    // Shown on the card and with the permission request: exactly what the server will be sent.
    preview: async (args) => [{ type: 'text', text: callPreview(options, info.name, args) }],
    content: (output) => [{ type: 'text', text: headBytes(renderOutput(output), 8 * 1024) }],
    render: renderOutput,
    run: async (args, ctx) => {
      const result = await connection.callTool(info.name, args, {
        signal: ctx.signal,
        onProgress: (progress, total, message) =>
          ctx.emit({ content: [{ type: 'text', text: progressText(progress, total, message) }] }),
      })
      return callOutput(result)
    },
  })
  return {
    ...tool,
    modelSchema: modelSchemaOf(info.inputSchema),
    ...(info.outputSchema ? { outputModelSchema: modelSchemaOf(info.outputSchema) } : {}),
  }
}

function describe(info: McpToolInfo, server: string): string {
  const text = (info.description ?? info.title ?? '').trim()
  return text || `The ${info.name} tool of the MCP server ${server}.`
}

/** The schema as the model sees it: without `$schema`, always an object (a server may send `{}`). */
export function modelSchemaOf(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema ?? {}
  return { ...rest, type: 'object', properties: rest.properties ?? {} }
}

/** What the model reads, and what execute_code's code gets back: structured content first, else the text. */
export function callOutput(result: CallToolResult): unknown {
  const text = contentText(result.content ?? [])
  if (result.isError) throw new McpToolError(text || 'the MCP server reported an error without a message')
  if (result.structuredContent !== undefined) return result.structuredContent
  return text
}

/** Every content block as text: images, audio and binary resources are named with their size, not sent. */
export function contentText(content: CallToolResult['content']): string {
  const parts = content.map((block) => {
    switch (block.type) {
      case 'text':
        return block.text
      case 'image':
      case 'audio':
        return `[${block.type} ${block.mimeType}, ${formatBytes(Math.floor((block.data.length * 3) / 4))}: not shown]`
      case 'resource_link':
        return `[resource ${block.name}: ${block.uri}]`
      case 'resource':
        return 'text' in block.resource
          ? block.resource.text
          : `[resource ${block.resource.uri}${block.resource.mimeType ? ` (${block.resource.mimeType})` : ''}: binary, not shown]`
      default:
        return `[${(block as { type: string }).type} content]`
    }
  })
  const text = parts.join('\n')
  const cut = headBytes(text, MAX_MCP_TEXT_BYTES)
  return cut.length < text.length
    ? `${cut}\n[… the MCP server sent more: cut at ${formatBytes(MAX_MCP_TEXT_BYTES)}]`
    : cut
}

export function renderOutput(output: unknown): string {
  return typeof output === 'string' ? output : JSON.stringify(output)
}

export function progressText(progress: number, total?: number, message?: string): string {
  const amount = total ? `${progress}/${total}` : `${progress}`
  return `progress ${amount}${message ? `: ${message}` : ''}`
}

/** `filesystem: read_text_file /srv/notes.txt`: the tool and its most telling argument. */
export function callTitle(server: string, tool: string, args: Record<string, unknown>): string {
  const paths = pathArguments(args)
  const first = paths[0] ?? Object.values(args).find((v) => typeof v === 'string')
  const shown = typeof first === 'string' ? ` ${first.length > 120 ? `${first.slice(0, 120)}…` : first}` : ''
  const more = paths.length > 1 ? ` (+${paths.length - 1} more)` : ''
  return `${server}: ${tool}${shown}${more}`
}

export function callPreview(options: McpToolOptions, tool: string, args: Record<string, unknown>): string {
  const json = JSON.stringify(args, null, 2) ?? '{}'
  const shown = json.length > 4000 ? `${json.slice(0, 4000)}… (${json.length} characters)` : json
  return `MCP server ${options.server} (${options.origin}) will be sent ${tool} with:\n${shown}`
}

function pathArguments(args: Record<string, unknown>): string[] {
  return Object.entries(args)
    .filter(([key]) => /path|file|dir|uri|source|dest|target/i.test(key))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string' && value.length > 0)
}

function pathLocations(args: Record<string, unknown>): ToolLocation[] {
  return pathArguments(args)
    .filter((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p))
    .map((path) => ({ path }))
}
