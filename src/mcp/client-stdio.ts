// The stdio transport to one MCP server process. The SDK's own cannot kill a process group or keep what the
// server said on stderr, and a server that dies must say why: this one starts the server in a group of its own
// (tied to this agent by the watchdog), keeps the end of its stderr, and kills the whole group on close.
import { type ChildProcess, spawn } from 'node:child_process'
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'
import { tailBytes } from '../tools/limits.js'

/** How much of a server's stderr is kept to explain its failure. */
const STDERR_TAIL_BYTES = 2048
/** How long a server has to exit after SIGTERM before its group is killed. */
const TERM_GRACE_MS = 1500
/** A server that writes a line longer than this (without a newline) is broken, not slow. */
const MAX_LINE_BYTES = 16 * 1024 * 1024

export interface StdioServerParams {
  command: string
  args: readonly string[]
  env: Readonly<Record<string, string>>
  cwd: string
}

export class StdioServerTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private child: ChildProcess | undefined
  private readonly buffer = new ReadBuffer({ maxBufferSize: MAX_LINE_BYTES })
  private stderr = ''
  private forget: () => void = () => undefined
  /** How the process ended, once it has: exit code or signal. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined

  constructor(private readonly params: StdioServerParams) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** The end of what the server wrote on stderr, for messages about its failure. */
  stderrTail(): string {
    return this.stderr.trim()
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      // Only a minimal environment (as the SDK does): the agent's API keys are not every server's business.
      const child = spawn(this.params.command, [...this.params.args], {
        cwd: this.params.cwd,
        env: { ...getDefaultEnvironment(), ...this.params.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
      })
      this.child = child
      child.once('error', (error) => {
        reject(error)
        this.onerror?.(error)
      })
      child.once('spawn', () => {
        this.forget = dieWithThisProcess(child.pid, { group: process.platform !== 'win32' })
        resolve()
      })
      child.once('close', (code, signal) => {
        this.exit = { code, signal }
        this.forget()
        this.child = undefined
        this.onclose?.()
      })
      child.stdin?.on('error', (error) => this.onerror?.(error))
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk)
          for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage())
            this.onmessage?.(message)
        } catch (error) {
          // A line that is not JSON-RPC: the SDK reports it; the server may still send good lines after it.
          this.onerror?.(error as Error)
        }
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr = tailBytes(this.stderr + chunk.toString('utf8'), STDERR_TAIL_BYTES)
      })
    })
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin
      if (!stdin || stdin.destroyed) return reject(new Error('the MCP server is not running'))
      if (stdin.write(serializeMessage(message))) resolve()
      else stdin.once('drain', resolve)
    })
  }

  async close(): Promise<void> {
    const child = this.child
    if (!child) return
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
    child.stdin?.end()
    signalProcessGroup(child.pid, 'SIGTERM')
    const timer = setTimeout(() => signalProcessGroup(child.pid, 'SIGKILL'), TERM_GRACE_MS)
    // A grandchild holding the pipes open must not keep close waiting: the group has been killed by then.
    const giveUp = new Promise<void>((resolve) => setTimeout(resolve, TERM_GRACE_MS * 2).unref())
    await Promise.race([closed, giveUp])
    clearTimeout(timer)
    // Children the server left behind in its group go too.
    signalProcessGroup(child.pid, 'SIGKILL', { groupOnly: true })
  }
}
