// `punie serve` as a child process, and SDK clients that reach it over WebSocket.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createWebSocketStream } from '@agentclientprotocol/sdk/experimental/ws-client'
import WebSocket from 'ws'
import { type AcpHarness, BIN, connectClient, REPO_ROOT } from './acp-harness.js'
import type { ScriptedIde } from './ide.js'

export interface ServedPunie {
  url: string
  token: string
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export async function startServe(options: {
  home: string
  args?: string[]
  env?: Record<string, string>
}): Promise<ServedPunie> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, PUNIE_HOME: options.home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const deadline = Date.now() + 15_000
  for (;;) {
    const file = readServerFileIn(options.home)
    if (file && file.pid === child.pid && file.port) {
      return {
        url: `http://127.0.0.1:${file.port}`,
        token: file.token,
        child,
        output: () => output,
        exited,
        stop: async (signal = 'SIGTERM') => {
          child.kill(signal)
          return exited
        },
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`punie serve did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export function readServerFileIn(home: string): { token: string; port?: number; pid?: number } | undefined {
  try {
    return JSON.parse(readFileSync(join(home, 'server.json'), 'utf8'))
  } catch {
    return undefined
  }
}

/** An SDK client connected to the server's /acp endpoint with the given token. */
export function connectOverWebSocket(served: { url: string; token: string }, ide?: ScriptedIde): AcpHarness {
  const stream = createWebSocketStream(`${served.url.replace(/^http/, 'ws')}/acp`, {
    WebSocket: WebSocket as never,
    headers: { Authorization: `Bearer ${served.token}` },
  })
  return connectClient(stream, async () => undefined, ide)
}
