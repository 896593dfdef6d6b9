// Command lines for the local model servers Punie can manage, built from one launch spec. Pure: no I/O.

export const SERVER_KINDS = ['llamacpp', 'mlx', 'vllm', 'ollama'] as const
export type ServerKind = (typeof SERVER_KINDS)[number]

export const SERVER_BINARIES: Record<ServerKind, string> = {
  llamacpp: 'llama-server',
  mlx: 'mlx_lm.server',
  vllm: 'vllm',
  ollama: 'ollama',
}

export const DEFAULT_PORTS: Record<ServerKind, number> = {
  llamacpp: 8080,
  mlx: 8080,
  vllm: 8000,
  ollama: 11434,
}

export interface ServerLaunchSpec {
  kind: ServerKind
  /** A model file or hub id; Ollama serves whatever it has pulled and needs none. */
  model?: string
  host: string
  port: number
  /** A LoRA adapter to serve on top of the model. */
  adapter?: string
  /** Speculative decoding: the draft model and how many tokens it proposes. */
  draftModel?: string
  draftTokens?: number
  contextSize?: number
  /** Turn on the server's native tool calling (llama-server --jinja, vLLM's auto tool choice). Default on. */
  toolCalls?: boolean
  /** vLLM's parser for the model's tool-call format (hermes suits Qwen; llama3_json, mistral, …). */
  toolCallParser?: string
  /** vLLM: GPUs a model is split over (tensor), stages across nodes (pipeline), replicas (data). */
  tensorParallel?: number
  pipelineParallel?: number
  dataParallel?: number
  /** llama.cpp: layers offloaded to the GPU (`--n-gpu-layers`). */
  gpuLayers?: number
  /** Requests served at once: llama.cpp slots (`--parallel`), vLLM `--max-num-seqs`, Ollama `OLLAMA_NUM_PARALLEL`. */
  parallel?: number
  /** The executable, when it is not the usual name on PATH. */
  binary?: string
  extraArgs?: string[]
}

export interface ServerCommand {
  command: string
  args: string[]
  /** Added to the inherited environment. */
  env: Record<string, string>
  /** GET this until it answers 200 to know the server is ready. */
  healthUrl: string
  /** The OpenAI-compatible base URL clients use. */
  baseURL: string
}

export class ServerSpecError extends Error {
  override name = 'ServerSpecError'
}

export function serverCommand(spec: ServerLaunchSpec): ServerCommand {
  const origin = `http://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`
  const command = spec.binary ?? SERVER_BINARIES[spec.kind]
  const base = { command, env: {}, healthUrl: `${origin}/v1/models`, baseURL: `${origin}/v1` }
  const extra = spec.extraArgs ?? []
  const tools = spec.toolCalls ?? true
  if (spec.kind !== 'vllm')
    for (const [field, flag] of PARALLEL_FLAGS)
      unsupported(spec, field, `${flag} is vLLM's; ${SERVER_BINARIES[spec.kind]} runs on one machine`)
  if (spec.kind !== 'llamacpp')
    unsupported(
      spec,
      'gpuLayers',
      `--gpu-layers is llama.cpp's; ${SERVER_BINARIES[spec.kind]} places layers itself`,
    )
  switch (spec.kind) {
    case 'llamacpp': {
      const model = required(spec, 'model')
      const modelArgs = /\.gguf$/i.test(model) || model.startsWith('/') ? ['-m', model] : ['-hf', model]
      return {
        ...base,
        args: [
          ...modelArgs,
          '--host',
          spec.host,
          '--port',
          String(spec.port),
          ...(spec.adapter ? ['--lora', spec.adapter] : []),
          ...(spec.draftModel ? ['-md', spec.draftModel] : []),
          ...(spec.draftTokens ? ['--draft-max', String(spec.draftTokens)] : []),
          ...(spec.contextSize ? ['-c', String(spec.contextSize)] : []),
          ...(spec.gpuLayers !== undefined ? ['--n-gpu-layers', String(spec.gpuLayers)] : []),
          ...(spec.parallel ? ['--parallel', String(spec.parallel)] : []),
          ...(tools ? ['--jinja'] : []),
          ...extra,
        ],
      }
    }
    case 'mlx':
      unsupported(spec, 'contextSize', 'mlx_lm.server sets no context size; it uses the model’s')
      unsupported(spec, 'parallel', 'mlx_lm.server has no option for requests served at once')
      return {
        ...base,
        args: [
          '--model',
          required(spec, 'model'),
          '--host',
          spec.host,
          '--port',
          String(spec.port),
          ...(spec.adapter ? ['--adapter-path', spec.adapter] : []),
          ...(spec.draftModel ? ['--draft-model', spec.draftModel] : []),
          ...(spec.draftTokens ? ['--num-draft-tokens', String(spec.draftTokens)] : []),
          ...extra,
        ],
      }
    case 'vllm': {
      const model = required(spec, 'model')
      const speculative = spec.draftModel
        ? { model: spec.draftModel, num_speculative_tokens: spec.draftTokens ?? 5 }
        : undefined
      return {
        ...base,
        args: [
          'serve',
          model,
          '--host',
          spec.host,
          '--port',
          String(spec.port),
          ...(spec.adapter
            ? ['--enable-lora', '--lora-modules', `${VLLM_ADAPTER_NAME}=${spec.adapter}`]
            : []),
          ...(speculative ? ['--speculative-config', JSON.stringify(speculative)] : []),
          ...(spec.contextSize ? ['--max-model-len', String(spec.contextSize)] : []),
          ...(spec.tensorParallel ? ['--tensor-parallel-size', String(spec.tensorParallel)] : []),
          ...(spec.pipelineParallel ? ['--pipeline-parallel-size', String(spec.pipelineParallel)] : []),
          ...(spec.dataParallel ? ['--data-parallel-size', String(spec.dataParallel)] : []),
          ...(spec.parallel ? ['--max-num-seqs', String(spec.parallel)] : []),
          ...(tools
            ? ['--enable-auto-tool-choice', '--tool-call-parser', spec.toolCallParser ?? 'hermes']
            : []),
          ...extra,
        ],
      }
    }
    case 'ollama':
      unsupported(spec, 'adapter', 'Ollama takes adapters in a Modelfile (ADAPTER), not at serve time')
      unsupported(spec, 'draftModel', 'Ollama has no speculative decoding option')
      return {
        ...base,
        args: ['serve', ...extra],
        env: {
          OLLAMA_HOST: `${spec.host}:${spec.port}`,
          ...(spec.contextSize ? { OLLAMA_CONTEXT_LENGTH: String(spec.contextSize) } : {}),
          ...(spec.parallel ? { OLLAMA_NUM_PARALLEL: String(spec.parallel) } : {}),
        },
        healthUrl: `${origin}/api/tags`,
      }
  }
}

/** The model name vLLM serves an adapter under; its base model stays listed first, under its own name. */
export const VLLM_ADAPTER_NAME = 'adapter'

/**
 * The model a client must ask for to get what the server was started to serve, where it is not the first one it
 * lists: vLLM serves a LoRA adapter as a model of its own (llama.cpp and mlx-lm apply theirs to every request).
 */
export function servedModelName(kind: ServerKind, args: readonly string[]): string | undefined {
  if (kind !== 'vllm') return undefined
  const modules = args[args.indexOf('--lora-modules') + 1]
  return args.includes('--lora-modules') && modules ? modules.split('=')[0] : undefined
}

const PARALLEL_FLAGS = [
  ['tensorParallel', '--tensor-parallel'],
  ['pipelineParallel', '--pipeline-parallel'],
  ['dataParallel', '--data-parallel'],
] as const

/**
 * How many requests a server launched with this command serves at once, read back from its own flags (ours or
 * ones passed after --): llama.cpp `--parallel`/`-np`, vLLM `--max-num-seqs` (times data-parallel replicas),
 * Ollama `OLLAMA_NUM_PARALLEL`. Undefined when the command leaves it to the server's default.
 */
export function configuredSlots(
  kind: ServerKind,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): number | undefined {
  const flag = (...names: string[]): number | undefined => {
    let found: number | undefined
    args.forEach((arg, i) => {
      for (const name of names) {
        const value =
          arg === name ? args[i + 1] : arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined
        if (value !== undefined && /^\d+$/.test(value) && Number(value) > 0) found = Number(value)
      }
    })
    return found
  }
  switch (kind) {
    case 'llamacpp':
      return flag('--parallel', '-np')
    case 'vllm': {
      const seqs = flag('--max-num-seqs')
      return seqs === undefined ? undefined : seqs * (flag('--data-parallel-size', '-dp') ?? 1)
    }
    case 'ollama': {
      const value = env.OLLAMA_NUM_PARALLEL
      return value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined
    }
    case 'mlx':
      return undefined
  }
}

function required(spec: ServerLaunchSpec, field: 'model'): string {
  const value = spec[field]
  if (!value)
    throw new ServerSpecError(`${SERVER_BINARIES[spec.kind]} needs --model (a model file or hub id)`)
  return value
}

function unsupported(spec: ServerLaunchSpec, field: keyof ServerLaunchSpec, why: string): void {
  if (spec[field] !== undefined) throw new ServerSpecError(why)
}
