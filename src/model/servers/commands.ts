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
          ...(tools ? ['--jinja'] : []),
          ...extra,
        ],
      }
    }
    case 'mlx':
      unsupported(spec, 'contextSize', 'mlx_lm.server sets no context size; it uses the model’s')
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
          ...(spec.adapter ? ['--enable-lora', '--lora-modules', `adapter=${spec.adapter}`] : []),
          ...(speculative ? ['--speculative-config', JSON.stringify(speculative)] : []),
          ...(spec.contextSize ? ['--max-model-len', String(spec.contextSize)] : []),
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
        },
        healthUrl: `${origin}/api/tags`,
      }
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
