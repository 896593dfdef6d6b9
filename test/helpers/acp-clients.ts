// Real ACP clients nobody here wrote (acpx, acp-factory) driving `punie` as a child process against the scripted
// model. Each test gets a temp HOME (so the client's own state stays there), a workspace, and a transcript file
// of everything the clients printed; PUNIE_TRANSCRIPTS=<dir> keeps a copy of each after the test.
import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, onTestFinished } from 'vitest'
import { BIN, REPO_ROOT } from './acp-harness.js'
import { ScriptedModelServer } from './scripted-model.js'
import { makeTempDir } from './temp.js'

export const ACPX_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'acpx')

export interface ClientRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface ClientWorld {
  readonly model: ScriptedModelServer
  /** HOME for the client; Punie's home is `punieHome` inside it. */
  readonly home: string
  readonly punieHome: string
  readonly workspace: string
  readonly transcript: string
  /** The command a client runs as its agent: punie over stdio with the scripted model. */
  readonly agentCommand: string
  readonly env: NodeJS.ProcessEnv
  note(text: string): void
  /** Runs acpx with `--agent`, `--cwd` and a short queue-owner TTL; killed after `timeoutMs`. */
  acpx(
    args: string[],
    options?: { timeoutMs?: number; onStart?: (child: ChildProcess) => void },
  ): Promise<ClientRun>
}

export function useClientWorld(name: string): ClientWorld {
  const world = {} as { -readonly [K in keyof ClientWorld]: ClientWorld[K] }
  let removeHome: () => void = () => undefined
  let removeWorkspace: () => void = () => undefined
  beforeEach(async (context) => {
    const home = makeTempDir(`${name}-home-`)
    const workspace = makeTempDir(`${name}-ws-`)
    removeHome = home.remove
    removeWorkspace = workspace.remove
    world.model = await ScriptedModelServer.start()
    world.home = home.path
    world.punieHome = join(home.path, 'punie')
    mkdirSync(world.punieHome)
    world.workspace = workspace.path
    const slug = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    world.transcript = join(home.path, `${name}-${slug}.transcript.txt`)
    world.agentCommand = `${process.execPath} ${BIN} --model ${world.model.spec}`
    world.env = { ...process.env, HOME: world.home, PUNIE_HOME: world.punieHome }
    world.note = (text) => appendFileSync(world.transcript, `${text}\n`)
    world.note(`# ${name}: ${context.task.name}`)
    world.acpx = (args, options = {}) => {
      world.note(`\n$ acpx ${args.join(' ')}`)
      const child = spawn(
        process.execPath,
        [ACPX_BIN, '--agent', world.agentCommand, '--cwd', world.workspace, '--ttl', '1', ...args],
        { cwd: world.workspace, env: world.env, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      options.onStart?.(child)
      return collect(child, options.timeoutMs ?? 15_000).then((ran) => {
        world.note(`[exit ${ran.code}]\n${ran.stdout}${ran.stderr ? `[stderr]\n${ran.stderr}` : ''}`)
        return ran
      })
    }
  })
  afterEach(async () => {
    const keep = process.env.PUNIE_TRANSCRIPTS
    if (keep && existsSync(world.transcript)) {
      mkdirSync(keep, { recursive: true })
      copyFileSync(world.transcript, join(keep, world.transcript.split('/').pop() as string))
    }
    await world.model?.close()
    removeHome()
    removeWorkspace()
  })
  return world
}

function collect(child: ChildProcess, timeoutMs: number): Promise<ClientRun> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

export type Frame = {
  id?: number | string
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code: number; message: string }
}

/** The JSON-RPC frames acpx prints with `--format json` (both directions, in order). */
export function frames(stdout: string): Frame[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown
      return parsed && typeof parsed === 'object' ? [parsed as Frame] : []
    } catch {
      return []
    }
  })
}

/** The answer to the (last) request of `method`: the next frame that answers its id. */
export function answerTo(all: Frame[], method: string): Frame | undefined {
  const at = all.map((f) => f.method).lastIndexOf(method)
  if (at < 0) return undefined
  const id = all[at]?.id
  return all.slice(at + 1).find((f) => f.method === undefined && f.id === id)
}

/** The session updates among the frames. */
export function updatesIn(all: Frame[]): Record<string, unknown>[] {
  return all
    .filter((f) => f.method === 'session/update')
    .map((f) => (f.params as { update: Record<string, unknown> }).update)
}

export function agentTextIn(all: Frame[]): string {
  return updatesIn(all)
    .filter((u) => u.sessionUpdate === 'agent_message_chunk')
    .map((u) => (u.content as { text?: string }).text ?? '')
    .join('')
}
