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

export interface ClientFeatures {
  readTextFile: boolean
  writeTextFile: boolean
  terminal: boolean
}

export function clientFeatures(capabilities: ClientCapabilities | undefined): ClientFeatures {
  return {
    readTextFile: capabilities?.fs?.readTextFile === true,
    writeTextFile: capabilities?.fs?.writeTextFile === true,
    terminal: capabilities?.terminal === true,
  }
}

export class AcpWorkspace implements Workspace {
  readonly backends
  private readonly ideTerminals = new Set<string>()

  constructor(
    private readonly client: AgentContext,
    private readonly sessionId: string,
    private readonly features: ClientFeatures,
    private readonly local: LocalWorkspace,
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
      () =>
        this.client.request(
          methods.client.fs.readTextFile,
          {
            sessionId: this.sessionId,
            path: absolute,
            ...(options.line ? { line: options.line } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
          },
          requestOptions(signal),
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
      () =>
        this.client.request(
          methods.client.fs.writeTextFile,
          { sessionId: this.sessionId, path: absolute, content },
          requestOptions(signal),
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
    const { terminalId } = await this.client.request(methods.client.terminal.create, params)
    this.ideTerminals.add(terminalId)
    return terminalId
  }

  async terminalOutput(terminalId: string): Promise<TerminalOutput> {
    if (!this.isIde(terminalId)) return this.local.terminalOutput(terminalId)
    const out = await this.client.request(methods.client.terminal.output, {
      sessionId: this.sessionId,
      terminalId,
    })
    return {
      output: out.output,
      truncated: out.truncated,
      ...(out.exitStatus ? { exitStatus: exitStatus(out.exitStatus) } : {}),
    }
  }

  async waitForTerminalExit(terminalId: string, signal?: AbortSignal): Promise<ExitStatus> {
    if (!this.isIde(terminalId)) return this.local.waitForTerminalExit(terminalId, signal)
    const status = await this.client.request(
      methods.client.terminal.waitForExit,
      { sessionId: this.sessionId, terminalId },
      requestOptions(signal),
    )
    return exitStatus(status)
  }

  async killTerminal(terminalId: string): Promise<void> {
    if (!this.isIde(terminalId)) return this.local.killTerminal(terminalId)
    await this.client.request(methods.client.terminal.kill, { sessionId: this.sessionId, terminalId })
  }

  async releaseTerminal(terminalId: string): Promise<void> {
    if (!this.isIde(terminalId)) return this.local.releaseTerminal(terminalId)
    this.ideTerminals.delete(terminalId)
    await this.client.request(methods.client.terminal.release, { sessionId: this.sessionId, terminalId })
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

  /** Turns the IDE's errors into the workspace's own, so tools and hints do not depend on the backend. */
  private async call<T>(request: () => Promise<T>, path: string, verb: string): Promise<T> {
    try {
      return await request()
    } catch (error) {
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

function requestOptions(signal: AbortSignal | undefined): SendRequestOptions | undefined {
  return signal ? { cancellationSignal: signal, stopWaitingOnCancel: true } : undefined
}

function exitStatus(status: { exitCode?: number | null; signal?: string | null }): ExitStatus {
  return { exitCode: status.exitCode ?? null, signal: status.signal ?? null }
}
