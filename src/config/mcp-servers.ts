// The `mcpServers` and `mcpTrust` settings: MCP servers in the shape Claude Code, Zed and others use
// (`{ name: { command, args, env } }`, or `{ type: 'http' | 'sse', url, headers }`), and which of their tools the
// user lets run without asking. Pure.
import { z } from 'zod'

const stdioServer = z
  .object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().min(1).optional(),
  })
  .strict()

const remoteServer = z
  .object({
    type: z.enum(['http', 'sse']),
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict()

export const mcpServerConfigSchema = z.union([stdioServer, remoteServer])
export const mcpServersSchema = z.record(z.string().min(1), mcpServerConfigSchema)

/**
 * Per server name: `true` trusts every tool, `"read-only"` the tools the server marks `readOnlyHint` (an
 * annotation the server chooses, so only believed when the user says so), a list trusts the tools it names.
 */
export const mcpTrustSchema = z.record(
  z.string().min(1),
  z.union([z.literal(true), z.literal('read-only'), z.array(z.string().min(1))]),
)

export type McpServerConfig = z.infer<typeof mcpServerConfigSchema>
export type McpTrust = z.infer<typeof mcpTrustSchema>

/** One server a session may start: where it came from, and how to reach it. */
export type McpServerSpec = {
  name: string
  origin: 'client' | 'user' | 'project'
} & (
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { transport: 'http' | 'sse'; url: string; headers: Record<string, string> }
)

export function specFromConfig(
  name: string,
  config: McpServerConfig,
  origin: McpServerSpec['origin'],
): McpServerSpec {
  if ('url' in config) {
    return { name, origin, transport: config.type, url: config.url, headers: config.headers ?? {} }
  }
  return {
    name,
    origin,
    transport: 'stdio',
    command: config.command,
    args: config.args ?? [],
    env: config.env ?? {},
    ...(config.cwd ? { cwd: config.cwd } : {}),
  }
}

/** How a tool of a server is trusted by the user's `mcpTrust`. */
export function trustOf(trust: McpTrust | undefined, server: string, tool: string, readOnlyHint: boolean) {
  const rule = trust?.[server]
  if (rule === true) return true
  if (rule === 'read-only') return readOnlyHint
  return Array.isArray(rule) && rule.includes(tool)
}
