// Serving a trained adapter for its points' evaluation: the same managed server as `punie server start
// --adapter` (on a free port unless the grid names one), stopped when the combination's points are scored.
import { createServer } from 'node:net'
import { startModelServer, stopModelServer } from '../model/servers/managed.js'
import type { Served } from './tune.js'
import type { ServeSpec } from './tune-spec.js'

export async function serveAdapter(
  serve: ServeSpec,
  adapter: string,
  options: { name: string; serversDir: string },
): Promise<Served> {
  const port = serve.port ?? (await freePort(serve.host))
  const record = await startModelServer(
    {
      kind: serve.kind,
      model: serve.model,
      host: serve.host,
      port,
      adapter,
      ...(serve.binary ? { binary: serve.binary } : {}),
      ...(serve.args ? { extraArgs: serve.args } : {}),
    },
    { name: options.name, dir: options.serversDir, timeoutMs: serve.timeout_s * 1000 },
  )
  return {
    model: [record.baseURL, servedModelName(serve)].filter(Boolean).join('/'),
    stop: async () => {
      await stopModelServer(options.serversDir, options.name).catch(() => undefined)
    },
  }
}

/**
 * The model name requests carry: vLLM serves the adapter under the name it was given (`adapter`); llama-server
 * serves one model whatever the name (none: Punie takes the one it lists); mlx_lm.server the one it loaded.
 */
export function servedModelName(serve: ServeSpec): string | undefined {
  if (serve.kind === 'vllm') return 'adapter'
  if (serve.kind === 'llamacpp') return undefined
  return serve.model
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error(`no free port on ${host}`)),
      )
    })
  })
}
