// `punie trust [DIR]`: records in ~/.punie/config.json that a project's own .punie/config.json may choose
// a remote model and the permission mode of new sessions, and that its MCP servers may start; `--list` and
// `--remove` manage the list.
import { readFileSync } from 'node:fs'
import { ConfigError, readConfigFile, realPathOf, withoutBom } from '../config/config-file.js'
import { type Env, homePaths, punieHome } from '../config/home.js'
import { writePrivateFile } from '../config/private-file.js'

export interface TrustOptions {
  list?: boolean
  remove?: boolean
}

/** Does what was asked and returns what to print. */
export function runTrust(dir: string | undefined, options: TrustOptions, env: Env = process.env): string {
  const path = homePaths(punieHome(env)).config
  const trusted = readConfigFile(path).trustedProjects ?? []
  if (options.list) return trusted.length ? trusted.join('\n') : 'No trusted projects.'
  const target = realPathOf(dir ?? process.cwd())
  const others = trusted.filter((t) => realPathOf(t) !== target)
  if (options.remove) {
    if (others.length === trusted.length) return `${target} was not trusted.`
    writeTrusted(path, others)
    return `${target} is no longer trusted: its .punie/config.json may not choose a remote model or the mode, and its MCP servers do not start.`
  }
  if (others.length < trusted.length) return `${target} is already trusted.`
  writeTrusted(path, [...trusted, target])
  return `Trusted ${target}: its .punie/config.json may now choose a remote model and the mode of new sessions, and its MCP servers (.punie/config.json, .mcp.json) start.`
}

/** Rewrites the user's config with a new list, keeping every other setting as it is. */
function writeTrusted(path: string, trustedProjects: string[]): void {
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(withoutBom(readFileSync(path, 'utf8'))) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(path, `cannot be read: ${(error as Error).message}`)
  }
  writePrivateFile(path, `${JSON.stringify({ ...json, trustedProjects }, null, 2)}\n`)
}
