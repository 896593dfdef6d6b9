// Runs a developer tool (git, pyright, pytest) as a child process with a timeout, and turns every way it can
// fail into a typed error the model can read: missing, timed out, crashed, or answering garbage.
import { spawn } from 'node:child_process'
import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'

export type DevtoolFailure = 'missing' | 'timeout' | 'crashed' | 'bad_output'

export class DevtoolError extends Error {
  override name = 'DevtoolError'
  constructor(
    readonly tool: string,
    readonly failure: DevtoolFailure,
    message: string,
  ) {
    super(message)
  }
}

export interface ProcessResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd: string
  timeoutMs: number
  signal?: AbortSignal
  env?: Record<string, string>
  /** Variables of Punie's environment the program must not see. */
  unsetEnv?: readonly string[]
  /** How the tool is named in errors. */
  tool: string
  /** What to tell the user when the program is not installed. */
  installHint?: string
  /** Written to the program's stdin. */
  input?: string
}

const MAX_OUTPUT = 8 * 1024 * 1024

export function runProcess(command: string, args: string[], options: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    })
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined)
      child.stdin?.end(options.input)
    }
    let stdout = ''
    let stderr = ''
    let settled = false
    const unguard = dieWithThisProcess(child.pid, { group: process.platform !== 'win32' })
    child.once('close', unguard)
    const kill = () => signalProcessGroup(child.pid, 'SIGKILL')
    const finish = (action: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      action()
    }
    const onAbort = () => {
      kill()
      finish(() => reject(options.signal?.reason ?? new Error('cancelled')))
    }
    const timer = setTimeout(() => {
      kill()
      finish(() =>
        reject(
          new DevtoolError(
            options.tool,
            'timeout',
            `${options.tool} did not finish within ${options.timeoutMs / 1000} s and was stopped`,
          ),
        ),
      )
    }, options.timeoutMs)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString()
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT'
      finish(() =>
        reject(
          new DevtoolError(
            options.tool,
            missing ? 'missing' : 'crashed',
            missing
              ? `${options.tool} is not installed (${command} not found)${options.installHint ? `: ${options.installHint}` : ''}`
              : `${options.tool} could not start: ${error.message}`,
          ),
        ),
      )
    })
    child.on('close', (exitCode, signal) => finish(() => resolve({ exitCode, signal, stdout, stderr })))
  })
}

function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  for (const name of options.unsetEnv ?? []) delete env[name]
  return env
}

/** The last lines of a tool's stderr, for error messages. */
export function stderrTail(stderr: string, lines = 5): string {
  return stderr.trim().split('\n').slice(-lines).join('\n')
}

/** Whether a program of that name is on PATH. */
export async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, command), constants.X_OK)
      return true
    } catch {
      // not here
    }
  }
  return false
}
