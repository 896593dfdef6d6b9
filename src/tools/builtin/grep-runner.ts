// Keeps grep's worker thread for a session and runs one batch of files' search in it, with a deadline and a
// cancel that terminate the thread: a regular expression cannot be interrupted any other way.
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { packageRoot } from '../../package-root.js'
import type { GrepBatchRequest, GrepWorkerReply } from './grep-protocol.js'

export interface LineMatch {
  /** Which text of the batch. */
  index: number
  line: number
  text: string
}

/** `matches` holds what was found, also when the search was stopped; `current` is the text it was in. */
export type BatchSearch = { matches: LineMatch[]; current: number } & (
  | { status: 'done' }
  | { status: 'timeout' }
  | { status: 'cancelled' }
  | { status: 'error'; message: string }
)

export class GrepRunner {
  private worker: Worker | undefined
  private nextId = 0

  /** Searches a batch of texts; never waits past `timeoutMs`, and returns at once when `signal` aborts. */
  search(
    request: Omit<GrepBatchRequest, 'id'>,
    options: { timeoutMs: number; signal: AbortSignal },
  ): Promise<BatchSearch> {
    const matches: LineMatch[] = []
    let current = 0
    if (options.signal.aborted) return Promise.resolve({ status: 'cancelled', matches, current })
    const worker = this.ensureWorker()
    const id = ++this.nextId
    worker.ref()
    return new Promise<BatchSearch>((resolve) => {
      const finish = (
        result: { status: 'done' | 'timeout' | 'cancelled' } | { status: 'error'; message: string },
        stop = false,
      ) => {
        clearTimeout(timer)
        options.signal.removeEventListener('abort', onAbort)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        if (stop) this.stop()
        else worker.unref()
        resolve({ ...result, matches, current })
      }
      const onMessage = (reply: GrepWorkerReply) => {
        if (reply.id !== id) return
        if (reply.type === 'file') current = reply.index
        else if (reply.type === 'match')
          matches.push({ index: reply.index, line: reply.line, text: reply.text })
        else if (reply.type === 'done') finish({ status: 'done' })
        else finish({ status: 'error', message: reply.message })
      }
      const onError = (error: Error) => finish({ status: 'error', message: error.message }, true)
      const onExit = () => finish({ status: 'error', message: 'the search thread exited' }, true)
      const onAbort = () => finish({ status: 'cancelled' }, true)
      const timer = setTimeout(() => finish({ status: 'timeout' }, true), options.timeoutMs)
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      options.signal.addEventListener('abort', onAbort, { once: true })
      worker.postMessage({ ...request, id } satisfies GrepBatchRequest)
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
