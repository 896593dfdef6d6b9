// ~/.punie/server.json: where a running server listens and the bearer token its clients present. Mode 0600.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { writePrivateFile } from '../config/private-file.js'
import { processAlive } from '../processes.js'

const serverFileSchema = z.object({
  token: z.string().min(1),
  host: z.string().optional(),
  port: z.number().int().optional(),
  pid: z.number().int().optional(),
})

export type ServerFile = z.infer<typeof serverFileSchema>

/** A server that is running: where it listens and its token. */
export interface RunningServer {
  token: string
  url: string
  pid: number
}

export function readServerFile(path: string): ServerFile | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = serverFileSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export function writeServerFile(path: string, content: ServerFile): void {
  writePrivateFile(path, `${JSON.stringify(content, null, 2)}\n`)
}

/** The token kept in the file, or a new random one: clients keep working across server restarts. */
export function serverToken(path: string): string {
  return readServerFile(path)?.token ?? randomBytes(32).toString('base64url')
}

/** The server the file points to, if its process is alive. */
export function runningServer(path: string): RunningServer | undefined {
  const file = readServerFile(path)
  if (!file?.pid || !file.port || !processAlive(file.pid)) return undefined
  return { token: file.token, url: httpUrl(file.host ?? '127.0.0.1', file.port), pid: file.pid }
}

export function httpUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`
}

/** The WebSocket address of a server's ACP endpoint, from its http(s) or ws(s) URL. */
export function acpSocketUrl(serverUrl: string): string {
  const url = new URL(serverUrl)
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:'
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/acp'
  return url.toString()
}
