// Drives Punie with the official ACP SDK client: in-process over ndJSON byte streams, or as a spawned binary.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import {
  type ClientConnection,
  type ContentBlock,
  client,
  methods,
  ndJsonStream,
  RequestError,
  type SessionNotification,
  type SessionUpdate,
  type Stream,
} from '@agentclientprotocol/sdk'
import type { ScriptedIde } from './ide.js'

/** The checkout this file lives in, found by walking up (the file also runs compiled from dist-bench/). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)))
export const BIN = join(REPO_ROOT, 'bin', 'punie.js')

function findRepoRoot(dir: string): string {
  if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'punie.js'))) return dir
  const parent = dirname(dir)
  if (parent === dir) throw new Error('cannot find the punie checkout above the test helpers')
  return findRepoRoot(parent)
}

export class AcpHarness {
  readonly notifications: SessionNotification[] = []
  private waiters: (() => void)[] = []

  constructor(
    readonly connection: ClientConnection,
    private readonly onClose: () => Promise<void>,
    readonly ide?: ScriptedIde,
  ) {}

  get agent() {
    return this.connection.agent
  }

  record(notification: SessionNotification) {
    this.notifications.push(notification)
    for (const wake of this.waiters.splice(0)) wake()
  }

  initialize() {
    return this.agent.request(methods.agent.initialize, {
      protocolVersion: 1,
      clientCapabilities: this.ide?.capabilities ?? {
        fs: { readTextFile: false, writeTextFile: false },
        terminal: false,
      },
      clientInfo: { name: 'punie-tests', version: '0' },
    })
  }

  async newSession(cwd: string) {
    return this.agent.request(methods.agent.session.new, { cwd, mcpServers: [] })
  }

  async loadSession(sessionId: string, cwd: string) {
    return this.agent.request(methods.agent.session.load, { sessionId, cwd, mcpServers: [] })
  }

  prompt(sessionId: string, prompt: string | ContentBlock[]) {
    const blocks: ContentBlock[] = typeof prompt === 'string' ? [{ type: 'text', text: prompt }] : prompt
    return this.agent.request(methods.agent.session.prompt, { sessionId, prompt: blocks })
  }

  /** A prompt whose turn must fail: its error reply (code, message, data); throws if the prompt answered. */
  async failedPrompt(
    sessionId: string,
    prompt: string | ContentBlock[],
  ): Promise<{ code: number; message: string; data?: unknown }> {
    const outcome = await this.prompt(sessionId, prompt).then(
      (answer) => ({ answer }),
      (error: { code: number; message: string; data?: unknown }) => ({ error }),
    )
    if ('answer' in outcome) throw new Error(`the prompt answered ${JSON.stringify(outcome.answer)}`)
    return outcome.error
  }

  cancel(sessionId: string) {
    return this.agent.notify(methods.agent.session.cancel, { sessionId })
  }

  updates(sessionId: string): SessionUpdate[] {
    return this.notifications.filter((n) => n.sessionId === sessionId).map((n) => n.update)
  }

  /** Agent text since the given index into this session's updates. */
  agentText(sessionId: string, from = 0): string {
    return this.updates(sessionId)
      .slice(from)
      .map((u) =>
        u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text' ? u.content.text : '',
      )
      .join('')
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate()) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for a session update')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async close() {
    this.connection.close()
    await this.onClose()
  }
}

function clientApp(harness: () => AcpHarness, ide?: ScriptedIde) {
  let app = client({ name: 'punie-tests' })
    .onNotification(methods.client.session.update, ({ params }) => harness().record(params))
    .onRequest(methods.client.session.requestPermission, ({ params, signal }) => {
      if (ide) return ide.requestPermission(params, signal)
      return { outcome: { outcome: 'cancelled' } } as const
    })
  if (!ide) return app
  app = app
    .onRequest(methods.client.fs.readTextFile, ({ params }) => ide.readTextFile(params))
    .onRequest(methods.client.fs.writeTextFile, ({ params }) => ide.writeTextFile(params))
    .onRequest(methods.client.terminal.create, ({ params }) => ide.createTerminal(params))
    .onRequest(methods.client.terminal.output, ({ params }) => ide.terminalOutput(params.terminalId))
    .onRequest(methods.client.terminal.waitForExit, ({ params }) => ide.waitForExit(params.terminalId))
    .onRequest(methods.client.terminal.kill, ({ params }) => ide.killTerminal(params.terminalId))
    .onRequest(methods.client.terminal.release, ({ params }) => ide.releaseTerminal(params.terminalId))
  app = app.onRequest('*', ({ method, params }) => {
    if (method.startsWith('_')) ide.extensionRequests.push(method)
    if (ide.neverAnswers.has(method)) return new Promise<never>(() => undefined)
    if (method === '_punie/discover_tools' && ide.catalog) return ide.discoverTools()
    if (method === '_punie/tool_call' && ide.catalog) {
      return ide.callTool(params as { name: string; arguments: Record<string, unknown> })
    }
    throw RequestError.methodNotFound(method)
  })
  return app
}

/** A pair of connected ndJSON streams, as a pipe between two processes would carry them. */
export function memoryPipe(): { agentSide: Stream; clientSide: Stream } {
  const toAgent = new TransformStream<Uint8Array, Uint8Array>()
  const toClient = new TransformStream<Uint8Array, Uint8Array>()
  return {
    agentSide: ndJsonStream(toClient.writable, toAgent.readable),
    clientSide: ndJsonStream(toAgent.writable, toClient.readable),
  }
}

export function connectClient(stream: Stream, onClose: () => Promise<void>, ide?: ScriptedIde): AcpHarness {
  let harness: AcpHarness | undefined
  const connection = clientApp(() => harness as AcpHarness, ide).connect(stream)
  harness = new AcpHarness(connection, onClose, ide)
  return harness
}

export interface SpawnedAgent {
  harness: AcpHarness
  child: ChildProcess
  stderr: () => string
  /** Every stdout line, as written. */
  stdoutLines: string[]
  /** Raw stdout lines that were not JSON, which must never happen. */
  strayStdout: string[]
  exited: Promise<number | null>
}

export function spawnAgent(options: {
  home: string
  args?: string[]
  env?: Record<string, string>
  ide?: ScriptedIde
  /** The script to run instead of Punie's binary (the bench's null agent). */
  entry?: string
}): SpawnedAgent {
  const child = spawn(process.execPath, [options.entry ?? BIN, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, PUNIE_HOME: options.home, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString()
  })
  const strayStdout: string[] = []
  const stdoutLines: string[] = []
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const stdout = Readable.toWeb(child.stdout as Readable) as ReadableStream<Uint8Array>
  const [forClient, forCheck] = stdout.tee()
  void collectLines(forCheck, stdoutLines, strayStdout)
  const stream = ndJsonStream(
    Writable.toWeb(child.stdin as Writable) as WritableStream<Uint8Array>,
    forClient,
  )
  const harness = connectClient(
    stream,
    async () => {
      child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    },
    options.ide,
  )
  return { harness, child, stderr: () => stderr, stdoutLines, strayStdout, exited }
}

async function collectLines(stream: ReadableStream<Uint8Array>, lines: string[], stray: string[]) {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim()
      buffer = buffer.slice(newline + 1)
      if (line) {
        lines.push(line)
        try {
          JSON.parse(line)
        } catch {
          stray.push(line)
        }
      }
      newline = buffer.indexOf('\n')
    }
  }
}
