// Managed model servers: launched detached with their output in a log file, polled until healthy, stopped with
// SIGTERM then SIGKILL. Each running one is recorded in $PUNIE_HOME/servers/NAME.json so later commands find it.
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { processAlive, signalProcessGroup } from '../../processes.js'
import { respondsOk } from '../server-probe.js'
import {
  configuredSlots,
  type ServerCommand,
  type ServerKind,
  type ServerLaunchSpec,
  serverCommand,
} from './commands.js'

const recordSchema = z.object({
  name: z.string(),
  kind: z.enum(['llamacpp', 'mlx', 'vllm', 'ollama']),
  pid: z.number().int(),
  model: z.string().optional(),
  baseURL: z.string(),
  healthUrl: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  logFile: z.string(),
  /** Requests it serves at once, as its command configured them (absent: the server's default). */
  slots: z.number().int().positive().optional(),
  startedAt: z.number(),
})

export type ManagedServer = z.infer<typeof recordSchema>

export class ManagedServerError extends Error {
  override name = 'ManagedServerError'
}

export interface StartOptions {
  name?: string
  /** Directory for state files and logs: $PUNIE_HOME/servers. */
  dir: string
  timeoutMs?: number
  pollMs?: number
  onProgress?: (elapsedMs: number) => void
}

const LOG_TAIL_LINES = 20

function slotsOf(kind: ServerKind, command: ServerCommand): { slots?: number } {
  const slots = configuredSlots(kind, command.args, command.env)
  return slots ? { slots } : {}
}

export async function startModelServer(
  spec: ServerLaunchSpec,
  options: StartOptions,
): Promise<ManagedServer> {
  const name = options.name ?? spec.kind
  validName(name)
  const existing = readRecord(options.dir, name)
  if (existing && processAlive(existing.pid)) {
    throw new ManagedServerError(
      `server "${name}" is already running (pid ${existing.pid}, ${existing.baseURL})`,
    )
  }
  const command = serverCommand(spec)
  mkdirSync(options.dir, { recursive: true })
  const logFile = join(options.dir, `${name}.log`)
  const log = openSync(logFile, 'w')
  const child = spawn(command.command, command.args, {
    env: { ...process.env, ...command.env },
    stdio: ['ignore', log, log],
    detached: true,
  })
  closeSync(log)
  const exited = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }))
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const started = await Promise.race([
    exited,
    new Promise<'spawned'>((resolve) => child.once('spawn', () => resolve('spawned'))),
  ])
  if (started !== 'spawned') {
    throw new ManagedServerError(
      started.error && (started.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${command.command} is not installed or not on PATH (${installHint(spec.kind)})`
        : `${command.command} could not start: ${started.error?.message ?? started.code}`,
    )
  }
  child.unref()
  const record: ManagedServer = {
    name,
    kind: spec.kind,
    pid: child.pid as number,
    ...(spec.model ? { model: spec.model } : {}),
    baseURL: command.baseURL,
    healthUrl: command.healthUrl,
    command: command.command,
    args: command.args,
    logFile,
    ...slotsOf(spec.kind, command),
    startedAt: Date.now(),
  }
  writeFileSync(recordPath(options.dir, name), `${JSON.stringify(record, null, 2)}\n`)
  const outcome = await waitHealthy(command, exited, options)
  if (outcome === 'healthy') return record
  await stopProcess(record.pid, 2000)
  rmSync(recordPath(options.dir, name), { force: true })
  const tail = logTail(logFile)
  const reason =
    outcome === 'timeout'
      ? `did not answer ${command.healthUrl} within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s; stopped it`
      : `exited before it was ready (${outcome.signal ? `signal ${outcome.signal}` : `code ${outcome.code}`})`
  throw new ManagedServerError(
    `${command.command} ${reason}${tail ? `\n--- ${logFile} (last lines) ---\n${tail}` : ''}`,
  )
}

async function waitHealthy(
  command: ServerCommand,
  exited: Promise<{ code: number | null; signal: string | null }>,
  options: StartOptions,
): Promise<'healthy' | 'timeout' | { code: number | null; signal: string | null }> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  const began = Date.now()
  let gone: { code: number | null; signal: string | null } | undefined
  void exited.then((status) => {
    gone = status
  })
  while (Date.now() < deadline) {
    if (gone) return gone
    if (await respondsOk(command.healthUrl)) return 'healthy'
    options.onProgress?.(Date.now() - began)
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250))
  }
  return gone ?? 'timeout'
}

/** SIGTERM to the server's process group, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<'terminated' | 'killed' | 'gone'> {
  if (!processAlive(pid)) return 'gone'
  signalProcessGroup(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return 'terminated'
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  signalProcessGroup(pid, 'SIGKILL')
  return 'killed'
}

export async function stopModelServer(dir: string, name: string, graceMs?: number) {
  const record = readRecord(dir, name)
  if (!record) throw new ManagedServerError(`no managed server named "${name}" (see punie server list)`)
  const how = await stopProcess(record.pid, graceMs)
  rmSync(recordPath(dir, name), { force: true })
  return { record, how }
}

export function listModelServers(dir: string): (ManagedServer & { alive: boolean })[] {
  let names: string[]
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.json'))
  } catch {
    return []
  }
  return names.flatMap((file) => {
    const record = readRecord(dir, file.slice(0, -5))
    return record ? [{ ...record, alive: processAlive(record.pid) }] : []
  })
}

export function readRecord(dir: string, name: string): ManagedServer | undefined {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(recordPath(dir, name), 'utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function recordPath(dir: string, name: string): string {
  return join(dir, `${name}.json`)
}

function validName(name: string): void {
  if (!/^[\w.-]{1,64}$/.test(name)) {
    throw new ManagedServerError(`server name "${name}" may use letters, digits, ".", "_" and "-" only`)
  }
}

export function logTail(file: string, lines = LOG_TAIL_LINES): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

function installHint(kind: ServerKind): string {
  return {
    llamacpp: 'install llama.cpp, which provides llama-server',
    mlx: 'pip install mlx-lm (Apple silicon)',
    vllm: 'pip install vllm',
    ollama: 'see https://ollama.com/download',
  }[kind]
}
