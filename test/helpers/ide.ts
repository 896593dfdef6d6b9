// A scripted IDE for tests: an ACP client that serves fs and terminals (with unsaved editor buffers), answers
// permission requests from a script, and can offer its own tool catalog.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import type {
  ClientCapabilities,
  PermissionOptionKind,
  RequestPermissionRequest,
  RequestPermissionResponse,
} from '@agentclientprotocol/sdk'

/** `hold`: the dialog stays open, as when nobody is at the IDE, until the agent withdraws it. */
export type PermissionAnswer = PermissionOptionKind | 'cancelled' | 'hold'

/** The capabilities of an IDE that serves fs and terminals and says it answers `_punie/discover_tools`. */
export const DISCOVERY_CAPABILITIES: ClientCapabilities = {
  fs: { readTextFile: true, writeTextFile: true },
  terminal: true,
  _meta: { punie: { discoverTools: true } },
}

interface IdeTerminal {
  child: ChildProcess
  output: string
  exit: Promise<{ exitCode: number | null; signal: string | null }>
  status?: { exitCode: number | null; signal: string | null }
}

export interface CatalogTool {
  name: string
  description: string
  inputSchema: Record<string, unknown>
  kind?: string
  requiresPermission?: boolean
  timeoutMs?: number
  /** What the IDE answers when the agent calls it. */
  answer: (args: Record<string, unknown>) => unknown
}

export class ScriptedIde {
  /** Editor buffers that differ from the disk: path → text. */
  readonly buffers = new Map<string, string>()
  readonly reads: string[] = []
  readonly writes: { path: string; content: string }[] = []
  readonly permissionRequests: RequestPermissionRequest[] = []
  /** Tool calls whose open permission dialog the agent withdrew (answered elsewhere, or the turn ended). */
  readonly withdrawnPermissions: string[] = []
  readonly terminalsCreated: {
    command: string
    args: string[]
    cwd?: string | null
    outputByteLimit?: number | null
  }[] = []
  readonly toolCalls: { name: string; arguments: unknown }[] = []
  private readonly answers: PermissionAnswer[] = []
  defaultAnswer: PermissionAnswer = 'reject_once'
  catalog: CatalogTool[] | undefined
  /** Extension requests (`_punie/…`) received, by method, in order. */
  readonly extensionRequests: string[] = []
  /** The catalog is answered once this settles: an IDE slow to build it. */
  catalogHeld: Promise<void> | undefined
  /** Answer terminal/output without exitStatus, as some clients do once the command has exited. */
  omitExitStatus = false
  /** Methods this IDE receives and never answers. */
  readonly neverAnswers = new Set<string>()
  private readonly terminals = new Map<string, IdeTerminal>()
  private nextTerminal = 1

  constructor(
    readonly capabilities: ClientCapabilities = {
      fs: { readTextFile: true, writeTextFile: true },
      terminal: true,
    },
  ) {}

  answerPermissions(...answers: PermissionAnswer[]): this {
    this.answers.push(...answers)
    return this
  }

  readTextFile(params: { path: string; line?: number | null; limit?: number | null }) {
    this.reads.push(params.path)
    if (this.neverAnswers.has('fs/read_text_file')) return new Promise<never>(() => undefined)
    const text = this.buffers.get(params.path) ?? readFileSync(params.path, 'utf8')
    if (!params.line && !params.limit) return { content: text }
    const lines = text.split('\n')
    const start = (params.line ?? 1) - 1
    return { content: lines.slice(start, params.limit ? start + params.limit : undefined).join('\n') }
  }

  writeTextFile(params: { path: string; content: string }) {
    this.writes.push({ path: params.path, content: params.content })
    writeFileSync(params.path, params.content)
    this.buffers.delete(params.path)
    return {}
  }

  requestPermission(
    params: RequestPermissionRequest,
    signal?: AbortSignal,
  ): RequestPermissionResponse | Promise<RequestPermissionResponse> {
    this.permissionRequests.push(params)
    const answer = this.answers.shift() ?? this.defaultAnswer
    if (answer === 'cancelled') return { outcome: { outcome: 'cancelled' } }
    if (answer === 'hold') {
      // Withdrawn with `$/cancel_request`: the SDK aborts the handler's signal, and ACP says to answer cancelled.
      return new Promise((resolve) => {
        const withdraw = () => {
          this.withdrawnPermissions.push(params.toolCall.toolCallId)
          resolve({ outcome: { outcome: 'cancelled' } })
        }
        if (signal?.aborted) withdraw()
        else signal?.addEventListener('abort', withdraw, { once: true })
      })
    }
    const option = params.options.find((o) => o.kind === answer)
    if (!option) throw new Error(`the agent offered no ${answer} option`)
    return { outcome: { outcome: 'selected', optionId: option.optionId } }
  }

  createTerminal(params: {
    command: string
    args?: string[]
    cwd?: string | null
    env?: { name: string; value: string }[]
    outputByteLimit?: number | null
  }) {
    this.terminalsCreated.push({
      command: params.command,
      args: params.args ?? [],
      cwd: params.cwd ?? null,
      outputByteLimit: params.outputByteLimit ?? null,
    })
    const env = { ...process.env, ...Object.fromEntries((params.env ?? []).map((e) => [e.name, e.value])) }
    const child = spawn(params.command, params.args ?? [], {
      cwd: params.cwd ?? undefined,
      env,
      detached: true,
    })
    const id = `ide-term-${this.nextTerminal++}`
    const terminal: IdeTerminal = {
      child,
      output: '',
      exit: new Promise((resolve) => child.on('close', (exitCode, signal) => resolve({ exitCode, signal }))),
    }
    terminal.exit.then((status) => {
      terminal.status = status
    })
    child.stdout?.on('data', (d: Buffer) => {
      terminal.output += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      terminal.output += d.toString()
    })
    this.terminals.set(id, terminal)
    return { terminalId: id }
  }

  terminalOutput(id: string) {
    const t = this.terminal(id)
    const status = t.status && !this.omitExitStatus ? { exitStatus: t.status } : {}
    return { output: t.output, truncated: false, ...status }
  }

  async waitForExit(id: string) {
    return this.terminal(id).exit
  }

  killTerminal(id: string) {
    const t = this.terminal(id)
    if (!t.status && t.child.pid) {
      try {
        process.kill(-t.child.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
    return {}
  }

  releaseTerminal(id: string) {
    this.killTerminal(id)
    this.terminals.delete(id)
    return {}
  }

  liveTerminals(): number {
    return this.terminals.size
  }

  async discoverTools() {
    await this.catalogHeld
    return { tools: (this.catalog ?? []).map(({ answer: _answer, ...entry }) => entry) }
  }

  async callTool(params: { name: string; arguments: Record<string, unknown> }) {
    this.toolCalls.push({ name: params.name, arguments: params.arguments })
    const tool = this.catalog?.find((t) => t.name === params.name)
    if (!tool) return { error: `no IDE tool ${params.name}` }
    try {
      return { result: await tool.answer(params.arguments) }
    } catch (error) {
      return { error: (error as Error).message }
    }
  }

  private terminal(id: string): IdeTerminal {
    const t = this.terminals.get(id)
    if (!t) throw new Error(`unknown terminal ${id}`)
    return t
  }
}
