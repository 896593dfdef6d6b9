// Scoring a trained model: start the configured server on a free port with the adapter or model filled in,
// wait until it answers /v1/models, run `punie eval run` against it as a child process (the same harness a
// user runs), read the mean score from its results file, and stop the server's process group.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { z } from 'zod'
import { packageRoot } from '../package-root.js'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'
import type { TrainConfig } from './config.js'

export interface EvalScore {
  score: number
  passed: number
  total: number
  results: string
}

/** Serves a model and scores it with the eval suite. Injected so tests and `punie tune` can supply their own. */
export type ModelEvaluator = (target: {
  model: string
  adapter?: string
  label: string
}) => Promise<EvalScore>

export class ServeEvalError extends Error {
  override name = 'ServeEvalError'
}

const resultsSchema = z.object({ results: z.array(z.object({ score: z.number(), passed: z.boolean() })) })

/** Fills {model}, {adapter} and {port} into the server's argv (an argument without an adapter is dropped). Pure. */
export function serveArgv(
  template: readonly string[],
  values: { model: string; adapter?: string; port: number },
): string[] {
  return template.flatMap((arg) => {
    if (arg.includes('{adapter}') && values.adapter === undefined) return []
    return [
      arg
        .replaceAll('{model}', values.model)
        .replaceAll('{adapter}', values.adapter ?? '')
        .replaceAll('{port}', String(values.port)),
    ]
  })
}

/** Drops an `--adapter-path` style flag whose value was an absent {adapter}. Pure. */
export function dropDanglingFlags(template: readonly string[], hasAdapter: boolean): string[] {
  if (hasAdapter) return [...template]
  return template.filter((arg, i) => !(arg.startsWith('-') && template[i + 1]?.includes('{adapter}')))
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new ServeEvalError(
        `the model server exited (${child.exitCode ?? child.signalCode}) before it was ready: ${output()}`,
      )
    try {
      const response = await fetch(`${url}/models`, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new ServeEvalError(
    `the model server did not answer ${url}/models within ${Math.round(timeoutMs / 1000)} s`,
  )
}

function runChild(argv: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const release = dieWithThisProcess(child.pid, { group: true })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const timer = setTimeout(() => signalProcessGroup(child.pid, 'SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      release()
      resolve({ code: -1, output: error.message })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      release()
      resolve({ code, output })
    })
  })
}

/** The evaluator `punie train` uses: the config's server command and eval suite, `punie eval run` as a child. */
export function serveAndEval(
  config: TrainConfig,
  outDir: string,
  options: { timeoutMs?: number } = {},
): ModelEvaluator | undefined {
  const { serve, eval_suite: suite } = config
  if (!serve || !suite) return undefined
  return async ({ model, adapter, label }) => {
    const port = await freePort()
    const argv = serveArgv(dropDanglingFlags(serve.command, adapter !== undefined), {
      model,
      port,
      ...(adapter ? { adapter } : {}),
    })
    const server = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const release = dieWithThisProcess(server.pid, { group: true })
    let serverOutput = ''
    const keep = (chunk: Buffer) => {
      serverOutput = (serverOutput + chunk.toString('utf8')).slice(-4000)
    }
    server.stdout?.on('data', keep)
    server.stderr?.on('data', keep)
    const spawnError = new Promise<never>((_, reject) =>
      server.once('error', (error) =>
        reject(new ServeEvalError(`cannot start ${argv[0]}: ${error.message}`)),
      ),
    )
    try {
      const base = `http://127.0.0.1:${port}/v1`
      await Promise.race([
        waitReady(base, server, serve.ready_timeout_s * 1000, () => serverOutput.slice(-500)),
        spawnError,
      ])
      mkdirSync(outDir, { recursive: true })
      const results = join(outDir, `eval-${label}.json`)
      const punie = [process.execPath, join(packageRoot(), 'bin', 'punie.js')]
      const { code, output } = await runChild(
        [...punie, '--model', `${base}/${serve.model_name}`, 'eval', 'run', suite, '--out', results],
        options.timeoutMs ?? 30 * 60_000,
      )
      if (!existsSync(results))
        throw new ServeEvalError(`punie eval run failed (exit ${code}): ${output.slice(-600)}`)
      const parsed = resultsSchema.parse(JSON.parse(readFileSync(results, 'utf8')))
      const total = parsed.results.length
      const score = total ? parsed.results.reduce((s, r) => s + r.score, 0) / total : 0
      return { score, passed: parsed.results.filter((r) => r.passed).length, total, results }
    } finally {
      signalProcessGroup(server.pid, 'SIGTERM')
      const gone = new Promise((r) => server.once('close', r))
      const timer = setTimeout(() => signalProcessGroup(server.pid, 'SIGKILL', { groupOnly: true }), 5000)
      if (server.exitCode === null && server.signalCode === null) await gone
      clearTimeout(timer)
      release()
    }
  }
}
