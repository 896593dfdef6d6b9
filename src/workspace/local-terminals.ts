// Processes started for tools on the local machine. Each runs in its own process group so that a kill
// takes its children with it, and that group dies with the agent even when the agent is killed outright;
// output is kept up to a byte limit, dropping the oldest bytes first.

import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'
import {
  type ExitStatus,
  type TerminalOutput,
  type TerminalRequest,
  UnknownTerminalError,
} from './workspace.js'

const DEFAULT_OUTPUT_LIMIT = 1024 * 1024
const KILL_GRACE_MS = 2000

interface LocalTerminal {
  child: ChildProcess
  chunks: Buffer[]
  bytes: number
  limit: number
  truncated: boolean
  exit: Promise<ExitStatus>
  status?: ExitStatus
  /** Lets the group go from the agent's watchdog, once it has been killed. */
  unguard: () => void
}

export class LocalTerminals {
  private readonly terminals = new Map<string, LocalTerminal>()

  create(request: TerminalRequest): string {
    const child = spawn(request.command, request.args ?? [], {
      cwd: request.cwd,
      env: { ...process.env, ...request.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    })
    const id = `term_${randomUUID()}`
    const terminal: LocalTerminal = {
      child,
      chunks: [],
      bytes: 0,
      limit: request.outputByteLimit ?? DEFAULT_OUTPUT_LIMIT,
      truncated: false,
      // Background commands (`sleep 300 &`) outlive the shell: the group is guarded until it is killed.
      unguard: dieWithThisProcess(child.pid, { group: process.platform !== 'win32' }),
      exit: new Promise<ExitStatus>((resolve) => {
        child.once('error', (error) => {
          append(terminal, Buffer.from(`${error.message}\n`))
          resolve({ exitCode: 127, signal: null })
        })
        child.once('close', (code, signal) => resolve({ exitCode: code, signal }))
      }),
    }
    terminal.exit.then((status) => {
      terminal.status = status
    })
    child.stdout?.on('data', (data: Buffer) => append(terminal, data))
    child.stderr?.on('data', (data: Buffer) => append(terminal, data))
    this.terminals.set(id, terminal)
    return id
  }

  output(id: string): TerminalOutput {
    const t = this.get(id)
    return {
      output: decodeTail(Buffer.concat(t.chunks)),
      truncated: t.truncated,
      ...(t.status ? { exitStatus: t.status } : {}),
    }
  }

  async waitForExit(id: string, signal?: AbortSignal): Promise<ExitStatus> {
    const t = this.get(id)
    if (!signal) return t.exit
    signal.throwIfAborted()
    return new Promise<ExitStatus>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      t.exit.then((status) => {
        signal.removeEventListener('abort', onAbort)
        resolve(status)
      })
    })
  }

  /** SIGTERM to the whole process group, SIGKILL if it is still there after a grace period. */
  async kill(id: string): Promise<void> {
    const t = this.get(id)
    if (t.status) {
      // The shell has exited, but what it started in the background may still run in its group.
      signalProcessGroup(t.child.pid, 'SIGKILL', { groupOnly: true })
      t.unguard()
      return
    }
    signalProcessGroup(t.child.pid, 'SIGTERM')
    const timer = setTimeout(() => signalProcessGroup(t.child.pid, 'SIGKILL'), KILL_GRACE_MS)
    await t.exit
    clearTimeout(timer)
    // The leader may be gone while others in its group still run.
    signalProcessGroup(t.child.pid, 'SIGKILL', { groupOnly: true })
    t.unguard()
  }

  async release(id: string): Promise<void> {
    await this.kill(id)
    this.terminals.delete(id)
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.terminals.keys()].map((id) => this.release(id)))
  }

  private get(id: string): LocalTerminal {
    const t = this.terminals.get(id)
    if (!t) throw new UnknownTerminalError(id)
    return t
  }
}

function append(t: LocalTerminal, data: Buffer) {
  t.chunks.push(data)
  t.bytes += data.length
  while (t.bytes > t.limit && t.chunks.length) {
    const first = t.chunks[0] as Buffer
    const excess = t.bytes - t.limit
    t.truncated = true
    if (first.length <= excess) {
      t.chunks.shift()
      t.bytes -= first.length
    } else {
      t.chunks[0] = first.subarray(excess)
      t.bytes -= excess
    }
  }
}

/** Decodes bytes whose start may have been cut inside a UTF-8 character. */
function decodeTail(bytes: Buffer): string {
  let start = 0
  while (start < bytes.length && start < 4 && ((bytes[start] as number) & 0xc0) === 0x80) start++
  return bytes.subarray(start).toString('utf8')
}
