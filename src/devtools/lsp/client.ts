// One language server process, spoken to over JSON-RPC on stdio: initialize, open documents, ask, shut down.
// Every request has a timeout; a server that exits is marked dead so the pool can start a new one.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node.js'
import type {
  Diagnostic,
  DocumentDiagnosticReport,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
  RegistrationParams,
  UnregistrationParams,
} from 'vscode-languageserver-protocol'
import { DevtoolError } from '../process.js'

export interface ServerCommand {
  command: string
  args: string[]
  languageId: string
}

const REQUEST_TIMEOUT_MS = 30_000
const DIAGNOSTICS_TIMEOUT_MS = 15_000

export interface LspClientOptions {
  /** Ask for diagnostics (`textDocument/diagnostic`) when the server offers it; on by default. */
  pullDiagnostics?: boolean
}

/**
 * Whether a pushed diagnostics report is about the document version Punie last sent. A server that names no
 * version is taken at its word: its first report after the open or change (earlier ones were dropped then).
 */
export function isCurrentReport(reported: number | undefined, current: number | undefined): boolean {
  return reported === undefined || reported === current
}

export class LspClient {
  private readonly connection: MessageConnection
  private readonly child: ChildProcess
  private readonly versions = new Map<string, number>()
  private readonly texts = new Map<string, string>()
  private readonly diagnostics = new Map<string, Diagnostic[]>()
  private readonly diagnosticWaiters = new Map<string, (() => void)[]>()
  private exited = false
  private stderr = ''
  /** Set when the server offers `textDocument/diagnostic` in its capabilities. */
  private staticPull = false
  private readonly pullRegistrations = new Set<string>()
  /** The source files on disk as last reported (reportDiskFiles), to tell the server what changed since. */
  private diskFiles: Map<string, number> | undefined
  readonly ready: Promise<void>

  constructor(
    readonly root: string,
    readonly server: ServerCommand,
    private readonly options: LspClientOptions = {},
  ) {
    this.child = spawn(server.command, server.args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    // A killed server's pipes fail on the next write; that is reported as a crash, not thrown.
    this.child.stdin?.on('error', () => undefined)
    this.child.stdout?.on('error', () => undefined)
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000)
    })
    // Talk to the server only once it has started: writing to a process that failed to spawn throws inside
    // the JSON-RPC library, out of reach.
    const started = new Promise<void>((resolve, reject) => {
      this.child.once('spawn', resolve)
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.exited = true
        reject(
          new DevtoolError(
            server.command,
            error.code === 'ENOENT' ? 'missing' : 'crashed',
            error.code === 'ENOENT'
              ? `the language server ${server.command} is not installed`
              : error.message,
          ),
        )
      })
    })
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(this.child.stdin as NodeJS.WritableStream),
    )
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      // A report for a version already replaced is stale: keep waiting for the one about the current text.
      if (!isCurrentReport(params.version, this.versions.get(params.uri))) return
      this.diagnostics.set(params.uri, params.diagnostics)
      for (const wake of this.diagnosticWaiters.get(params.uri)?.splice(0) ?? []) wake()
      for (const wake of this.diagnosticWaiters.get('')?.splice(0) ?? []) wake()
    })
    // Servers ask for settings and progress tokens; answering keeps them from stalling.
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) =>
      params.items.map(() => null),
    )
    this.connection.onRequest('window/workDoneProgress/create', () => null)
    // pyright offers pull diagnostics by registering them after `initialized` (and again when its settings
    // change); until then a request for diagnostics waits for either the registration or a push.
    this.connection.onRequest('client/registerCapability', (params: RegistrationParams) => {
      for (const r of params.registrations ?? [])
        if (r.method === 'textDocument/diagnostic') this.pullRegistrations.add(r.id)
      this.wakeAll()
      return null
    })
    this.connection.onRequest('client/unregisterCapability', (params: UnregistrationParams) => {
      for (const r of params.unregisterations ?? []) this.pullRegistrations.delete(r.id)
      return null
    })
    // Every answer is asked for afresh, so a refresh needs no action; left unanswered, pyright exits.
    this.connection.onRequest('workspace/diagnostic/refresh', () => null)
    this.connection.onError(() => undefined)
    this.connection.listen()
    // Once the process is gone, nothing may write to it again (late answers to its own requests included).
    this.child.once('exit', () => {
      this.exited = true
      this.connection.dispose()
    })
    this.ready = started.then(() => this.initialize())
    this.ready.catch(() => undefined)
  }

  get alive(): boolean {
    return !this.exited
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** Opens or updates a document with the given text (the IDE buffer when there is one). */
  sync(path: string, text: string): string {
    const uri = pathToFileURL(path).href
    const version = this.versions.get(uri)
    if (version === undefined) {
      this.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: this.server.languageId, version: 1, text },
      })
      this.versions.set(uri, 1)
    } else if (this.texts.get(uri) !== text) {
      this.notify('textDocument/didChange', {
        textDocument: { uri, version: version + 1 },
        contentChanges: [{ text }],
      })
      this.versions.set(uri, version + 1)
      this.diagnostics.delete(uri)
    }
    this.texts.set(uri, text)
    return uri
  }

  /**
   * Tells the server what changed on disk since the last call, as a file watcher would (`files`: path →
   * modification time, every source file the server should know of), and closes documents whose files are
   * gone, so that imports resolve as they would for a fresh checker.
   */
  reportDiskFiles(files: ReadonlyMap<string, number>): void {
    const changes: { uri: string; type: 1 | 2 | 3 }[] = []
    const before = this.diskFiles
    if (before) {
      for (const [path, mtime] of files) {
        const was = before.get(path)
        if (was === undefined) changes.push({ uri: pathToFileURL(path).href, type: 1 })
        else if (was !== mtime) changes.push({ uri: pathToFileURL(path).href, type: 2 })
      }
      for (const path of before.keys())
        if (!files.has(path)) changes.push({ uri: pathToFileURL(path).href, type: 3 })
    }
    this.diskFiles = new Map(files)
    for (const uri of [...this.versions.keys()]) {
      if (existsSync(fileURLToPath(uri))) continue
      this.notify('textDocument/didClose', { textDocument: { uri } })
      this.versions.delete(uri)
      this.texts.delete(uri)
      this.diagnostics.delete(uri)
    }
    if (changes.length > 0) this.notify('workspace/didChangeWatchedFiles', { changes })
  }

  async request<R>(method: string, params: unknown, signal?: AbortSignal): Promise<R> {
    await this.ready
    if (this.exited) throw this.crashed()
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    const cancel = signal ? AbortSignal.any([signal, timeout]) : timeout
    return new Promise<R>((resolve, reject) => {
      const onAbort = () =>
        reject(
          timeout.aborted
            ? new DevtoolError(
                this.server.command,
                'timeout',
                `the language server did not answer ${method} within ${REQUEST_TIMEOUT_MS / 1000} s`,
              )
            : (signal?.reason ?? new Error('cancelled')),
        )
      cancel.addEventListener('abort', onAbort, { once: true })
      const onExit = () => reject(this.crashed())
      this.child.once('exit', onExit)
      this.connection.sendRequest(method, params).then(
        (value) => {
          cancel.removeEventListener('abort', onAbort)
          this.child.off('exit', onExit)
          resolve(value as R)
        },
        (error: unknown) => {
          cancel.removeEventListener('abort', onAbort)
          this.child.off('exit', onExit)
          reject(
            this.exited
              ? this.crashed()
              : new DevtoolError(
                  this.server.command,
                  'bad_output',
                  `${method} failed: ${(error as Error).message}`,
                ),
          )
        },
      )
    })
  }

  /** Whether diagnostics are asked for (`textDocument/diagnostic`) rather than waited for. */
  get pullsDiagnostics(): boolean {
    return this.options.pullDiagnostics !== false && (this.staticPull || this.pullRegistrations.size > 0)
  }

  /**
   * The diagnostics of the document as last synced: asked for when the server supports pull diagnostics, else
   * the pushed report of that version, waited for up to a deadline (a timeout error, never an empty list).
   */
  async diagnosticsFor(
    uri: string,
    signal?: AbortSignal,
    timeoutMs = DIAGNOSTICS_TIMEOUT_MS,
  ): Promise<Diagnostic[]> {
    await this.ready
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.pullsDiagnostics) {
        const report = await this.request<DocumentDiagnosticReport>(
          'textDocument/diagnostic',
          { textDocument: { uri } },
          signal,
        )
        if (report.kind === 'full') return report.items
        // No previous result id is ever sent, so "unchanged" answers nothing; never read it as no problems.
        throw new DevtoolError(
          this.server.command,
          'bad_output',
          'the language server answered "unchanged" to a first request for diagnostics',
        )
      }
      const known = this.diagnostics.get(uri)
      if (known) return known
      if (!(await this.nextReport(uri, deadline - Date.now(), signal))) break
    }
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled')
    if (this.exited) throw this.crashed()
    throw new DevtoolError(
      this.server.command,
      'timeout',
      `the language server reported no diagnostics for this version of the file within ${timeoutMs / 1000} s`,
    )
  }

  /** Resolves true on the next report for `uri` (or a pull registration), false at the deadline or on abort. */
  private nextReport(uri: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (timeoutMs <= 0 || signal?.aborted || this.exited) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const lists = [uri, ''].map((key) => {
        const list = this.diagnosticWaiters.get(key) ?? []
        this.diagnosticWaiters.set(key, list)
        return list
      })
      const done = (value: boolean) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        this.child.off('exit', onAbort)
        for (const list of lists) {
          const at = list.indexOf(wake)
          if (at >= 0) list.splice(at, 1)
        }
        resolve(value)
      }
      const wake = () => done(true)
      const onAbort = () => done(false)
      const timer = setTimeout(onAbort, timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.child.once('exit', onAbort)
      for (const list of lists) list.push(wake)
    })
  }

  private wakeAll(): void {
    for (const list of this.diagnosticWaiters.values()) for (const wake of list.splice(0)) wake()
  }

  async shutdown(): Promise<void> {
    if (!this.exited) {
      try {
        // If the timeout wins, the request may still fail later; that is expected and absorbed.
        const ask = this.connection.sendRequest('shutdown').catch(() => undefined)
        await Promise.race([ask, new Promise((r) => setTimeout(r, 2000))])
        this.notify('exit')
      } catch {
        // already going
      }
    }
    this.connection.dispose()
    if (!this.exited) this.child.kill('SIGKILL')
  }

  private async initialize(): Promise<void> {
    const rootUri = pathToFileURL(this.root).href
    const params: InitializeParams = {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'workspace' }],
      capabilities: {
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          definition: {},
          references: {},
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          rename: { prepareSupport: false },
          publishDiagnostics: { versionSupport: true },
          // Servers such as pyright offer pull diagnostics only to clients that accept a dynamic registration.
          ...(this.options.pullDiagnostics === false ? {} : { diagnostic: { dynamicRegistration: true } }),
        },
        workspace: { symbol: {}, workspaceEdit: { documentChanges: true }, configuration: true },
      },
    }
    const result = (await this.connection.sendRequest('initialize', params)) as InitializeResult
    this.staticPull = Boolean(result?.capabilities?.diagnosticProvider)
    this.notify('initialized', {})
  }

  /** Notifications to a server that has just died fail; the next request reports the crash instead. */
  private notify(method: string, params?: unknown): void {
    this.connection.sendNotification(method, params).catch(() => undefined)
  }

  private crashed(): DevtoolError {
    return new DevtoolError(
      this.server.command,
      'crashed',
      `the language server exited: ${this.stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}`,
    )
  }
}
