// Runs Python snippets in a child process, kept warm between runs. A child can be killed at once, which a
// worker thread stuck in native code cannot: that is how a runaway loop is cancelled or timed out.
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import { packageRoot } from '../package-root.js'
import { dieWithThisProcess } from '../processes.js'
import type { SandboxLimits, ToChild, ToParent } from './protocol.js'
import type { ToolStubs } from './stubs.js'

export type CallAnswer = { ok: true; value: unknown } | { ok: false; exception: string; message: string }

export interface SandboxRun {
  code: string
  stubs?: ToolStubs
  limits: SandboxLimits
  /** Wall time for the whole run, tool calls included. */
  timeoutMs: number
  signal: AbortSignal
  onCall(name: string, args: unknown[], kwargs: Record<string, unknown>): Promise<CallAnswer>
}

export type SandboxOutcome =
  | { status: 'ok'; value: unknown; valueCut: boolean }
  | {
      status: 'error'
      kind: 'syntax' | 'runtime' | 'typing'
      typeName: string
      message: string
      traceback: string
    }
  | { status: 'timeout' }
  | { status: 'cancelled' }
  | { status: 'crashed'; message: string }

export type SandboxResult = { stdout: string; stdoutTruncated: boolean } & SandboxOutcome

export class CodeSandbox {
  private child: ChildProcess | undefined
  private stderr = ''

  async run(request: SandboxRun): Promise<SandboxResult> {
    request.signal.throwIfAborted()
    const child = this.ensureChild()
    let stdout = ''
    let truncated = false
    return new Promise<SandboxResult>((resolve) => {
      let settled = false
      const finish = (result: SandboxOutcome, kill = false) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        request.signal.removeEventListener('abort', onAbort)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (kill) this.kill()
        resolve({ ...result, stdout, stdoutTruncated: truncated })
      }
      const onAbort = () => finish({ status: 'cancelled' }, true)
      const onExit = () => {
        this.child = undefined
        finish({
          status: 'crashed',
          message: this.stderr.trim().split('\n').slice(-5).join('\n') || 'the sandbox process exited',
        })
      }
      const onMessage = (message: ToParent) => {
        switch (message.type) {
          case 'print': {
            // The child caps what it sends; this guards the parent against a child that does not.
            const cap = request.limits.maxOutputChars
            if (message.dropped || stdout.length + message.text.length > cap) truncated = true
            if (stdout.length < cap) stdout += message.text.slice(0, cap - stdout.length)
            break
          }
          case 'call':
            void request.onCall(message.name, message.args, message.kwargs).then((answer) => {
              if (settled) return
              const reply: ToChild = answer.ok
                ? { type: 'result', callId: message.callId, value: answer.value }
                : {
                    type: 'raise',
                    callId: message.callId,
                    exception: answer.exception,
                    message: answer.message,
                  }
              child.send(reply)
            })
            break
          case 'done':
            finish({ status: 'ok', value: message.value, valueCut: message.valueCut })
            break
          case 'error':
            finish({
              status: 'error',
              kind: message.kind,
              typeName: message.typeName,
              message: message.message,
              traceback: message.traceback,
            })
            break
        }
      }
      const timer = setTimeout(() => finish({ status: 'timeout' }, true), request.timeoutMs)
      request.signal.addEventListener('abort', onAbort, { once: true })
      child.on('message', onMessage)
      child.once('exit', onExit)
      const run: ToChild = {
        type: 'run',
        code: request.code,
        limits: request.limits,
        prefixLines: request.stubs?.prefixLines ?? 0,
        ...(request.stubs ? { typeCheckPrefix: request.stubs.typeCheckPrefix } : {}),
      }
      child.send(run)
    })
  }

  dispose(): void {
    this.kill()
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.connected) return this.child
    this.stderr = ''
    // Always the compiled child, also when this module runs from source (tests).
    const child = fork(join(packageRoot(), 'dist', 'codemode', 'monty-child.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    })
    child.stderr?.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString()).slice(-4000)
    })
    // The child leaves when its IPC channel closes, but not while a snippet spins in native code.
    const unguard = dieWithThisProcess(child.pid, { group: false })
    child.on('exit', () => {
      unguard()
      if (this.child === child) this.child = undefined
    })
    this.child = child
    return child
  }

  private kill() {
    const child = this.child
    this.child = undefined
    if (child && child.exitCode === null) child.kill('SIGKILL')
  }
}
