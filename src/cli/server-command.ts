// `punie server start|stop|status|list` and `punie models`: local model servers, managed and detected.
import { join } from 'node:path'
import { punieHome } from '../config/home.js'
import { listServedModels, respondsOk } from '../model/server-probe.js'
import {
  DEFAULT_PORTS,
  type ServerKind,
  ServerSpecError,
  servedModelName,
} from '../model/servers/commands.js'
import {
  listModelServers,
  type ManagedServer,
  ManagedServerError,
  startModelServer,
  stopModelServer,
} from '../model/servers/managed.js'
import { LOCAL_CANDIDATES } from '../model/spec.js'

export const serversDir = (home = punieHome()) => join(home, 'servers')

export interface ServerStartOptions {
  model?: string
  name?: string
  host: string
  port?: number
  adapter?: string
  draftModel?: string
  draftTokens?: number
  ctxSize?: number
  parallel?: number
  gpuLayers?: number
  tensorParallel?: number
  pipelineParallel?: number
  dataParallel?: number
  toolCalls: boolean
  toolCallParser?: string
  binary?: string
  timeout: number
}

export async function runServerStart(kind: ServerKind, opts: ServerStartOptions, extraArgs: string[]) {
  await guarded(async () => {
    const progress = process.stderr.isTTY
      ? (ms: number) =>
          process.stderr.write(`\rwaiting for ${kind} to become healthy… ${Math.round(ms / 1000)} s`)
      : undefined
    const record = await startModelServer(
      {
        kind,
        host: opts.host,
        port: opts.port ?? DEFAULT_PORTS[kind],
        toolCalls: opts.toolCalls,
        ...(opts.model ? { model: opts.model } : {}),
        ...(opts.adapter ? { adapter: opts.adapter } : {}),
        ...(opts.draftModel ? { draftModel: opts.draftModel } : {}),
        ...(opts.draftTokens ? { draftTokens: opts.draftTokens } : {}),
        ...(opts.ctxSize ? { contextSize: opts.ctxSize } : {}),
        ...(opts.parallel ? { parallel: opts.parallel } : {}),
        ...(opts.gpuLayers !== undefined ? { gpuLayers: opts.gpuLayers } : {}),
        ...(opts.tensorParallel ? { tensorParallel: opts.tensorParallel } : {}),
        ...(opts.pipelineParallel ? { pipelineParallel: opts.pipelineParallel } : {}),
        ...(opts.dataParallel ? { dataParallel: opts.dataParallel } : {}),
        ...(opts.toolCallParser ? { toolCallParser: opts.toolCallParser } : {}),
        ...(opts.binary ? { binary: opts.binary } : {}),
        ...(extraArgs.length ? { extraArgs } : {}),
      },
      {
        dir: serversDir(),
        timeoutMs: opts.timeout * 1000,
        ...(opts.name ? { name: opts.name } : {}),
        ...(progress ? { onProgress: progress } : {}),
      },
    ).finally(() => {
      if (progress) process.stderr.write('\n')
    })
    process.stdout.write(
      `${record.name}: ${record.command} is healthy at ${record.baseURL} (pid ${record.pid})\n` +
        `  use it with --model ${record.baseURL}${useAs(record)} (or --server ${record.name})\n` +
        (record.slots
          ? `  serves ${record.slots} requests at once (punie eval and punie tune use that many unless -j says otherwise)\n`
          : '') +
        `  log: ${record.logFile}\n`,
    )
  })
}

/** What to append to the base URL in --model: the adapter's name on vLLM, MODEL for Ollama (it serves many). */
function useAs(record: ManagedServer): string {
  const served = servedModelName(record.kind, record.args)
  if (served) return `/${served}`
  return record.model && record.kind !== 'ollama' ? '' : '/MODEL'
}

export async function runServerStop(name: string | undefined, all: boolean, graceMs: number) {
  await guarded(async () => {
    const names = all ? listModelServers(serversDir()).map((s) => s.name) : name ? [name] : []
    if (!names.length)
      throw new ManagedServerError(all ? 'no managed servers' : 'name a server, or pass --all')
    for (const n of names) {
      const { record, how } = await stopModelServer(serversDir(), n, graceMs)
      process.stdout.write(
        `${record.name}: ${how === 'gone' ? 'was not running' : how} (pid ${record.pid})\n`,
      )
    }
  })
}

export async function runServerList(opts: { json?: boolean; health: boolean }) {
  const servers = listModelServers(serversDir())
  const rows = await Promise.all(
    servers.map(async (s) => ({
      ...s,
      healthy: s.alive && opts.health ? await respondsOk(s.healthUrl) : undefined,
    })),
  )
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return
  }
  if (!rows.length) {
    process.stdout.write(
      'no managed servers; start one with `punie server start llamacpp --model FILE.gguf`\n',
    )
    return
  }
  for (const s of rows) process.stdout.write(`${describe(s)}\n`)
}

function describe(s: ManagedServer & { alive: boolean; healthy?: boolean | undefined }): string {
  const state = !s.alive
    ? 'dead'
    : s.healthy === undefined
      ? 'running'
      : s.healthy
        ? 'healthy'
        : 'not answering'
  return `${s.name.padEnd(12)} ${state.padEnd(13)} ${s.kind.padEnd(8)} pid ${String(s.pid).padEnd(7)} ${s.baseURL}  ${s.model ?? ''}`
}

/** `punie models`: every local server that answers (well-known ports and managed ones) and its models. */
export async function runModels(opts: { json?: boolean }) {
  const managed = listModelServers(serversDir()).filter((s) => s.alive)
  const candidates = [
    ...LOCAL_CANDIDATES.map((c) => ({ name: c.name, baseURL: c.baseURL })),
    ...managed.map((s) => ({ name: `${s.name} (managed ${s.kind})`, baseURL: s.baseURL })),
  ]
  const unique = candidates.filter((c, i) => candidates.findIndex((d) => d.baseURL === c.baseURL) === i)
  const found = await Promise.all(
    unique.map(async (c) => {
      try {
        return { ...c, models: (await listServedModels(c.baseURL, 1500)).map((m) => m.id) }
      } catch {
        return undefined
      }
    }),
  )
  const running = found.filter((f) => f !== undefined)
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(running, null, 2)}\n`)
    return
  }
  if (!running.length) {
    process.stdout.write(
      `no local model server answers (tried ${unique.map((c) => c.baseURL).join(', ')})\n` +
        'start LM Studio or Ollama, or `punie server start llamacpp --model FILE.gguf`\n',
    )
    return
  }
  for (const server of running) {
    process.stdout.write(`${server.name} — ${server.baseURL}\n`)
    for (const model of server.models)
      process.stdout.write(`  ${model}   (--model ${server.baseURL}/${model})\n`)
  }
}

async function guarded(run: () => Promise<void>) {
  try {
    await run()
  } catch (error) {
    if (!(error instanceof ManagedServerError || error instanceof ServerSpecError)) throw error
    process.stderr.write(`punie server: ${error.message}\n`)
    process.exitCode = 1
  }
}
