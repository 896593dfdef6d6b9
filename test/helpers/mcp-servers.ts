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

/** server-everything serving Streamable HTTP (`/mcp`) or SSE (`/sse`) on a free port, as its own process. */
export async function startRemoteEverything(kind: 'streamableHttp' | 'sse'): Promise<{
  url: string
  stop: () => Promise<void>
}> {
  const { spawn } = await import('node:child_process')
  const { createServer } = await import('node:net')
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
  const child = spawn(process.execPath, [EVERYTHING_SCRIPT, kind], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${kind} did not start`)), 10_000)
    child.stderr?.on('data', (chunk: Buffer) => {
      if (/listening|running/i.test(chunk.toString())) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', () => reject(new Error(`server-everything ${kind} exited`)))
  })
  const path = kind === 'sse' ? '/sse' : '/mcp'
  return {
    url: `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}
