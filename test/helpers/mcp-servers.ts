// Real MCP servers for tests (the pinned @modelcontextprotocol/server-everything and server-filesystem), as the
// ACP `mcpServers` entries and config entries that start them, and a way to find their processes.
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import type { McpServer } from '@agentclientprotocol/sdk'
import { REPO_ROOT } from './acp-harness.js'

const bin = (name: string) => realpathSync(join(REPO_ROOT, 'node_modules', '.bin', name))

export const EVERYTHING_SCRIPT = bin('mcp-server-everything')
export const FILESYSTEM_SCRIPT = bin('mcp-server-filesystem')

/** server-everything over stdio, as an ACP client passes it in session/new. */
export function everythingServer(name = 'everything'): McpServer {
  return { name, command: process.execPath, args: [EVERYTHING_SCRIPT], env: [] }
}

/** server-filesystem serving `dir` (and nothing else). */
export function filesystemServer(dir: string, name = 'filesystem'): McpServer {
  return { name, command: process.execPath, args: [FILESYSTEM_SCRIPT, dir], env: [] }
}

/** Processes under `ancestor` (children, grandchildren) whose command line contains `needle`. Linux only. */
export function descendantsRunning(ancestor: number, needle: string): number[] {
  const parents = new Map<number, number>()
  const lines = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (/\)\s+Z/.test(stat)) continue
      parents.set(Number(entry), ppid)
      lines.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '))
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
      if (p === ancestor) return true
    return false
  }
  return [...lines].filter(([pid, line]) => line.includes(needle) && under(pid)).map(([pid]) => pid)
}
