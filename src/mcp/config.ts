// Which MCP servers a session starts: those its client passed in session/new or session/load, the user's
// (`mcpServers` in ~/.punie/config.json), and a trusted project's (`mcpServers` in .punie/config.json or in
// .mcp.json, the file Claude Code reads). An untrusted project's servers are named in a notice and never started:
// starting one runs a program the repository chose.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { McpServer } from '@agentclientprotocol/sdk'
import { ConfigError, isTrustedProject, readConfigFile, withoutBom } from '../config/config-file.js'
import { type McpServerSpec, type McpTrust, mcpServersSchema, specFromConfig } from '../config/mcp-servers.js'

export interface McpSettings {
  /** The servers of the user's and the project's config; a client's are added per session. */
  servers: McpServerSpec[]
  trust: McpTrust
  timeoutMs?: number
  /** Said to the user at the session's first turn: servers not started, config that could not be read. */
  notices: string[]
}

/** The MCP settings for a session in `cwd`, read afresh (a `punie trust` counts from the next session on). */
export function readMcpSettings(
  userConfigPath: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): McpSettings {
  const notices: string[] = []
  let user: ReturnType<typeof readConfigFile> = {}
  try {
    user = readConfigFile(userConfigPath)
  } catch (error) {
    // The core read the same file at start-up; an edit since then must not break a new session.
    notices.push((error as Error).message)
  }
  const servers = Object.entries(user.mcpServers ?? {}).map(([name, config]) =>
    specFromConfig(name, config, 'user', env),
  )
  const trusted = isTrustedProject(cwd, user.trustedProjects ?? [])
  for (const file of [join(cwd, '.punie', 'config.json'), join(cwd, '.mcp.json')]) {
    const found = projectServers(file, notices, env)
    if (!found.length) continue
    if (!trusted) {
      // .punie/config.json's ignored settings are already reported with the rest of that file (config-file.ts).
      if (file.endsWith('.mcp.json'))
        notices.push(
          `MCP servers in ${file} not started (${found.map((s) => s.name).join(', ')}): the project is not trusted. ` +
            `If you trust it, run \`punie trust ${cwd}\` and start a new session.`,
        )
      continue
    }
    for (const spec of found) {
      if (servers.some((s) => s.name === spec.name)) continue
      servers.push(spec)
    }
  }
  return {
    servers,
    trust: user.mcpTrust ?? {},
    ...(user.mcpTimeoutMs ? { timeoutMs: user.mcpTimeoutMs } : {}),
    notices,
  }
}

function projectServers(
  file: string,
  notices: string[],
  env: Readonly<Record<string, string | undefined>>,
): McpServerSpec[] {
  let json: unknown
  try {
    json = JSON.parse(withoutBom(readFileSync(file, 'utf8')))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    notices.push(new ConfigError(file, `not valid JSON: ${(error as Error).message}`).message)
    return []
  }
  const raw = (json as { mcpServers?: unknown } | null)?.mcpServers
  if (raw === undefined) return []
  const parsed = mcpServersSchema.safeParse(raw)
  if (!parsed.success) {
    notices.push(new ConfigError(file, `mcpServers: ${parsed.error.issues[0]?.message ?? 'invalid'}`).message)
    return []
  }
  return Object.entries(parsed.data).map(([name, config]) => specFromConfig(name, config, 'project', env))
}

/** The servers an ACP client passed, in Punie's terms. */
export function specsFromAcp(servers: readonly McpServer[] | undefined): McpServerSpec[] {
  return (servers ?? []).map((server): McpServerSpec => {
    if ('type' in server && (server.type === 'http' || server.type === 'sse')) {
      return {
        name: server.name,
        origin: 'client',
        transport: server.type,
        url: server.url,
        headers: Object.fromEntries(server.headers.map((h) => [h.name, h.value])),
      }
    }
    const stdio = server as Extract<McpServer, { command: string }>
    return {
      name: stdio.name,
      origin: 'client',
      transport: 'stdio',
      command: stdio.command,
      args: stdio.args ?? [],
      env: Object.fromEntries((stdio.env ?? []).map((e) => [e.name, e.value])),
    }
  })
}

/** The client's servers first: a config server of the same name gives way to the one the IDE chose. */
export function combineServers(
  fromClient: readonly McpServerSpec[],
  fromConfig: readonly McpServerSpec[],
): McpServerSpec[] {
  return [...fromClient, ...fromConfig.filter((c) => !fromClient.some((s) => s.name === c.name))]
}
