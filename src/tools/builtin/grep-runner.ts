// Keeps grep's worker thread for a session and runs one file's search in it, with a deadline and a cancel
// that terminate the thread: a regular expression cannot be interrupted any other way.
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { packageRoot } from '../../package-root.js'
import type { GrepFileRequest, GrepWorkerReply } from './grep-protocol.js'

export interface LineMatch {
  line: number
  text: string
}

export type FileSearch =
  | { status: 'done'; matches: LineMatch[] }
  /** The deadline passed; `matches` holds what was found before. */
  | { status: 'timeout'; matches: LineMatch[] }
  | { status: 'cancelled'; matches: LineMatch[] }
  | { status: 'error'; message: string; matches: LineMatch[] }

export class GrepRunner {
  private worker: Worker | undefined
  private nextId = 0

  /** Searches one file's text; never waits past `timeoutMs`, and returns at once when `signal` aborts. */
  search(
    request: Omit<GrepFileRequest, 'id'>,
    options: { timeoutMs: number; signal: AbortSignal },
  ): Promise<FileSearch> {
    const matches: LineMatch[] = []
    if (options.signal.aborted) return Promise.resolve({ status: 'cancelled', matches })
    const worker = this.ensureWorker()
    const id = ++this.nextId
    worker.ref()
    return new Promise<FileSearch>((resolve) => {
      const finish = (result: FileSearch, stop = false) => {
        clearTimeout(timer)
        options.signal.removeEventListener('abort', onAbort)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        if (stop) this.stop()
        else worker.unref()
        resolve(result)
      }
      const onMessage = (reply: GrepWorkerReply) => {
        if (reply.id !== id) return
        if (reply.type === 'match') matches.push({ line: reply.line, text: reply.text })
        else if (reply.type === 'done') finish({ status: 'done', matches })
        else finish({ status: 'error', message: reply.message, matches })
      }
      const onError = (error: Error) => finish({ status: 'error', message: error.message, matches }, true)
      const onExit = () => finish({ status: 'error', message: 'the search thread exited', matches }, true)
      const onAbort = () => finish({ status: 'cancelled', matches }, true)
      const timer = setTimeout(() => finish({ status: 'timeout', matches }, true), options.timeoutMs)
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      options.signal.addEventListener('abort', onAbort, { once: true })
      worker.postMessage({ ...request, id } satisfies GrepFileRequest)
    })
  }

  dispose(): void {
    this.stop()
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    // Always the compiled worker, also when this module runs from source (tests), like the sandbox child.
    const worker = new Worker(join(packageRoot(), 'dist', 'tools', 'builtin', 'grep-worker.js'), {
      // A regular expression over at most a few MB of text needs little; a runaway one must not grow the agent.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    })
    worker.unref()
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined
    })
    this.worker = worker
    return worker
  }

  private stop() {
    const worker = this.worker
    this.worker = undefined
    void worker?.terminate()
  }
}
