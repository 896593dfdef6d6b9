// Workspace served by the IDE over ACP for each capability the client advertises (reads that see unsaved
// buffers, writes the editor tracks, IDE terminals), and by the local machine for the rest.
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type {
  AgentContext,
  ClientCapabilities,
  CreateTerminalRequest,
  SendRequestOptions,
} from '@agentclientprotocol/sdk'
import { methods, RequestError } from '@agentclientprotocol/sdk'
import type { LocalWorkspace } from '../workspace/local.js'
import {
  type DirEntry,
  type ExitStatus,
  type FileStat,
  type ReadTextOptions,
  type TerminalOutput,
  type TerminalRequest,
  UnknownTerminalError,
  type Workspace,
  WorkspaceFileNotFoundError,
} from '../workspace/workspace.js'
import { ClientTimeoutError, clientRequest, DEFAULT_CLIENT_REQUEST_TIMEOUT_MS } from './client-request.js'

/**
 * wait_for_exit lasts as long as the command: callers bound it with their own timeout (run_command's
 * timeout_ms, wait_for_terminal_exit's); this is the limit for a caller that sets none.
 */
const WAIT_FOR_EXIT_FALLBACK_MS = 10 * 60_000

export interface ClientFeatures {
  readTextFile: boolean
  writeTextFile: boolean
  terminal: boolean
  /** The client answers `_punie/discover_tools`; no other client is sent it. */
  discoverTools: boolean
}

export function clientFeatures(capabilities: ClientCapabilities | undefined): ClientFeatures {
  return {
    readTextFile: capabilities?.fs?.readTextFile === true,
    writeTextFile: capabilities?.fs?.writeTextFile === true,
    terminal: capabilities?.terminal === true,
    discoverTools: punieExtension(capabilities, 'discoverTools'),
  }
}

/** Punie's extensions a client supports, as it says in its capabilities: `_meta.punie.<name>: true`. */
function punieExtension(capabilities: ClientCapabilities | undefined, name: string): boolean {
  const punie = capabilities?._meta?.punie
  return typeof punie === 'object' && punie !== null && (punie as Record<string, unknown>)[name] === true
}

export class AcpWorkspace implements Workspace {
  readonly backends
  private readonly ideTerminals = new Set<string>()
  /** What wait_for_exit answered, for clients whose terminal/output leaves exitStatus out. */
  private readonly exits = new Map<string, ExitStatus>()

  constructor(
    private readonly client: AgentContext,
    private readonly sessionId: string,
    private readonly features: ClientFeatures,
    private readonly local: LocalWorkspace,
    private readonly timeoutMs = DEFAULT_CLIENT_REQUEST_TIMEOUT_MS,
  ) {
    this.backends = {
      read: features.readTextFile ? 'ide' : 'local',
      write: features.writeTextFile ? 'ide' : 'local',
      terminal: features.terminal ? 'ide' : 'local',
    } as const
  }

  get root() {
    return this.local.root
  }
  get roots() {
    return this.local.roots
  }

  resolve(path: string): Promise<string> {
    return this.local.resolve(path)
  }

  realPath(path: string): Promise<string> {
    return this.local.realPath(path)
  }

  display(absolute: string): string {
    return this.local.display(absolute)
  }

  async readText(path: string, options: ReadTextOptions = {}, signal?: AbortSignal): Promise<string> {
    if (!this.features.readTextFile) return this.local.readText(path, options, signal)
    const absolute = await this.resolve(path)
    const response = await this.call(
      methods.client.fs.readTextFile,
      signal,
      (requestOptions) =>
        this.client.request(
          methods.client.fs.readTextFile,
          {
            sessionId: this.sessionId,
            path: absolute,
            ...(options.line ? { line: options.line } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
          },
          requestOptions,
        ),
      path,
      'read',
    )
    return response.content
  }

  readDiskText(path: string, signal?: AbortSignal): Promise<string> {
    return this.local.readDiskText(path, signal)
  }

  async writeText(path: string, content: string, signal?: AbortSignal): Promise<void> {
    if (!this.features.writeTextFile) return this.local.writeText(path, content, signal)
    const absolute = await this.resolve(path)
    // ACP does not promise that clients create missing directories.
    await mkdir(dirname(absolute), { recursive: true })
    await this.call(
      methods.client.fs.writeTextFile,
      signal,
      (requestOptions) =>
        this.client.request(
          methods.client.fs.writeTextFile,
          { sessionId: this.sessionId, path: absolute, content },
          requestOptions,
        ),
      path,
      'write',
    )
  }

  stat(path: string): Promise<FileStat | undefined> {
    return this.local.stat(path)
  }

  listDir(path: string): Promise<DirEntry[]> {
    return this.local.listDir(path)
  }

  walkFiles(dir: string, signal?: AbortSignal): AsyncIterable<string> {
    return this.local.walkFiles(dir, signal)
  }

  async createTerminal(request: TerminalRequest): Promise<string> {
    if (!this.features.terminal) return this.local.createTerminal(request)
    const params: CreateTerminalRequest = {
      sessionId: this.sessionId,
      command: request.command,
      ...(request.args ? { args: request.args } : {}),
      ...(request.env ? { env: Object.entries(request.env).map(([name, value]) => ({ name, value })) } : {}),
      cwd: request.cwd ?? this.root,
      ...(request.outputByteLimit ? { outputByteLimit: request.outputByteLimit } : {}),
    }
    const { terminalId } = await this.terminalRequest(methods.client.terminal.create, (options) =>
      this.client.request(methods.client.terminal.create, params, options),
    )
    this.ideTerminals.add(terminalId)
    return terminalId
  }

  async terminalOutput(terminalId: string): Promise<TerminalOutput> {
    if (!this.isIde(terminalId)) return this.local.terminalOutput(terminalId)
    const out = await this.terminalRequest(methods.client.terminal.output, (options) =>
      this.client.request(methods.client.terminal.output, { sessionId: this.sessionId, terminalId }, options),
    )
    // Some clients leave exitStatus out once the command has exited; wait_for_exit told us how it ended.
    const status = out.exitStatus ? exitStatus(out.exitStatus) : this.exits.get(terminalId)
    return { output: out.output, truncated: out.truncated, ...(status ? { exitStatus: status } : {}) }
  }

  async waitForTerminalExit(terminalId: string, signal?: AbortSignal): Promise<ExitStatus> {
    if (!this.isIde(terminalId)) return this.local.waitForTerminalExit(terminalId, signal)
    const limit = { ...(signal ? { signal } : { timeoutMs: WAIT_FOR_EXIT_FALLBACK_MS }) }
    const status = exitStatus(
      await clientRequest(methods.client.terminal.waitForExit, limit, (options) =>
        this.client.request(
          methods.client.terminal.waitForExit,
          { sessionId: this.sessionId, terminalId },
          options,
        ),
      ),
    )
    this.exits.set(terminalId, status)
    return status
  }

  async killTerminal(terminalId: string): Promise<void> {
    if (!this.isIde(terminalId)) return this.local.killTerminal(terminalId)
    await this.terminalRequest(methods.client.terminal.kill, (options) =>
      this.client.request(methods.client.terminal.kill, { sessionId: this.sessionId, terminalId }, options),
    )
  }

  async releaseTerminal(terminalId: string): Promise<void> {
    if (!this.isIde(terminalId)) return this.local.releaseTerminal(terminalId)
    this.ideTerminals.delete(terminalId)
    this.exits.delete(terminalId)
    await this.terminalRequest(methods.client.terminal.release, (options) =>
      this.client.request(
        methods.client.terminal.release,
        { sessionId: this.sessionId, terminalId },
        options,
      ),
    )
  }

  async dispose(): Promise<void> {
    const open = [...this.ideTerminals]
    await Promise.all(open.map((id) => this.releaseTerminal(id).catch(() => undefined)))
    await this.local.dispose()
  }

  private isIde(terminalId: string): boolean {
    if (this.ideTerminals.has(terminalId)) return true
    if (this.features.terminal) throw new UnknownTerminalError(terminalId)
    return false
  }

  private terminalRequest<T>(
    method: string,
    send: (options: SendRequestOptions | undefined) => Promise<T>,
  ): Promise<T> {
    return clientRequest(method, { timeoutMs: this.timeoutMs }, send)
  }

  /** Turns the IDE's errors into the workspace's own, so tools and hints do not depend on the backend. */
  private async call<T>(
    method: string,
    signal: AbortSignal | undefined,
    send: (options: SendRequestOptions | undefined) => Promise<T>,
    path: string,
    verb: string,
  ): Promise<T> {
    try {
      return await clientRequest(method, { timeoutMs: this.timeoutMs, ...(signal ? { signal } : {}) }, send)
    } catch (error) {
      if (error instanceof ClientTimeoutError)
        throw new Error(`the IDE could not ${verb} ${path}: ${error.message}`)
      if (error instanceof RequestError && error.code === -32002) throw new WorkspaceFileNotFoundError(path)
      // IDEs word a missing file differently; if it is not on disk either, that is what went wrong.
      if (verb === 'read' && (await this.local.stat(path).catch(() => undefined)) === undefined) {
        throw new WorkspaceFileNotFoundError(path)
      }
      const message = error instanceof Error ? error.message : String(error)
      throw new Error(`the IDE could not ${verb} ${path}: ${message}`)
    }
  }
}

function exitStatus(status: { exitCode?: number | null; signal?: string | null }): ExitStatus {
  return { exitCode: status.exitCode ?? null, signal: status.signal ?? null }
}
