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

/**
 * A server of a config file, with `${VAR}` and `${VAR:-default}` taken from the environment as Claude Code does, so
 * that a copied `"env": { "GITHUB_TOKEN": "${GITHUB_TOKEN}" }` passes the token and not the text.
 */
export function specFromConfig(
  name: string,
  config: McpServerConfig,
  origin: McpServerSpec['origin'],
  env: Readonly<Record<string, string | undefined>> = {},
): McpServerSpec {
  const x = (text: string) => expandVariables(text, env)
  const each = (record: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, x(value)]))
  if ('url' in config) {
    return { name, origin, transport: config.type, url: x(config.url), headers: each(config.headers) }
  }
  return {
    name,
    origin,
    transport: 'stdio',
    command: x(config.command),
    args: (config.args ?? []).map(x),
    env: each(config.env),
    ...(config.cwd ? { cwd: x(config.cwd) } : {}),
  }
}

/** `${VAR}` → its value (empty when unset), `${VAR:-default}` → its value or the default. */
export function expandVariables(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_all, name: string, fallback?: string) => {
      const value = env[name]
      return value !== undefined && value !== '' ? value : (fallback ?? '')
    },
  )
}

/** How a tool of a server is trusted by the user's `mcpTrust`. */
export function trustOf(trust: McpTrust | undefined, server: string, tool: string, readOnlyHint: boolean) {
  const rule = trust?.[server]
  if (rule === true) return true
  if (rule === 'read-only') return readOnlyHint
  return Array.isArray(rule) && rule.includes(tool)
}
