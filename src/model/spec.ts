// Model spec strings → where to send requests. Pure: no network, no environment beyond what is passed in.
import type { Env } from '../config/home.js'
import { quote } from '../quote.js'

/** A server Punie knows by name: where it listens by default and how it authenticates. */
interface Preset {
  baseURL: (env: Env) => string
  apiKeyEnv?: string
  local: boolean
}

const PRESETS: Record<string, Preset> = {
  lmstudio: { baseURL: () => 'http://localhost:1234/v1', local: true },
  ollama: { baseURL: (env) => `${ollamaOrigin(env)}/v1`, local: true },
  llamacpp: { baseURL: () => 'http://localhost:8080/v1', local: true },
  mlx: { baseURL: () => 'http://localhost:8080/v1', local: true },
  vllm: { baseURL: () => 'http://localhost:8000/v1', local: true },
  openai: { baseURL: () => 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', local: false },
  openrouter: {
    baseURL: () => 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    local: false,
  },
  groq: { baseURL: () => 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY', local: false },
}

export const PROVIDER_PREFIXES = Object.keys(PRESETS)

/** Local servers probed by `local`, in order of preference. */
export const LOCAL_CANDIDATES = [
  { name: 'LM Studio', baseURL: 'http://localhost:1234/v1' },
  { name: 'Ollama', baseURL: 'http://localhost:11434/v1' },
  { name: 'llama.cpp / mlx-lm', baseURL: 'http://localhost:8080/v1' },
  { name: 'vLLM', baseURL: 'http://localhost:8000/v1' },
] as const

export type ModelSpec =
  /** Find a running local server; use `model` if given, else the server's loaded model. */
  | { kind: 'auto'; source: string; model?: string }
  /** A known server; `model` undefined means "ask the server which model it serves". */
  | { kind: 'endpoint'; source: string; baseURL: string; model?: string; apiKeyEnv?: string; local: boolean }

export class ModelSpecError extends Error {
  override name = 'ModelSpecError'
}

export function parseModelSpec(input: string, env: Env = {}): ModelSpec {
  const source = input.trim()
  if (!source) throw new ModelSpecError('empty model spec')
  if (source === 'local') return { kind: 'auto', source }
  if (/^https?:\/\//i.test(source)) return fromUrl(source, source)

  const colon = source.indexOf(':')
  if (colon < 0) {
    throw new ModelSpecError(
      `unknown model spec ${quote(source)}: use local, local:NAME, ${PROVIDER_PREFIXES.map((p) => `${p}:NAME`).join(', ')} or http://host:port/v1/NAME`,
    )
  }
  const prefix = source.slice(0, colon).toLowerCase()
  const rest = source.slice(colon + 1).trim()
  if (prefix === 'local') {
    if (/^https?:\/\//i.test(rest)) return fromUrl(rest, source)
    if (!rest) throw new ModelSpecError('"local:" needs a model name, e.g. local:qwen2.5-coder-7b')
    return { kind: 'auto', source, model: rest }
  }
  const preset = PRESETS[prefix]
  if (!preset) {
    throw new ModelSpecError(
      `unknown provider ${quote(prefix)} in ${quote(source)}: known are local, ${PROVIDER_PREFIXES.join(', ')}`,
    )
  }
  if (!rest && !preset.local)
    throw new ModelSpecError(`${quote(`${prefix}:`)} needs a model name, e.g. ${prefix}:NAME`)
  return {
    kind: 'endpoint',
    source,
    baseURL: preset.baseURL(env),
    ...(rest ? { model: rest } : {}),
    ...(preset.apiKeyEnv ? { apiKeyEnv: preset.apiKeyEnv } : {}),
    local: preset.local,
  }
}

/** `http://host:port/v1/NAME` → base URL up to `/v1`, the rest (which may hold slashes) is the model. */
function fromUrl(url: string, source: string): ModelSpec {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ModelSpecError(`${quote(url)} is not a valid URL`)
  }
  const path = parsed.pathname
  const v1 = path.search(/\/v1(\/|$)/)
  if (v1 < 0) {
    throw new ModelSpecError(`${quote(url)} has no /v1 in its path: write it as http://host:port/v1/MODEL`)
  }
  const baseURL = `${parsed.origin}${path.slice(0, v1 + 3)}`
  const model = decodeURIComponent(path.slice(v1 + 4)).replace(/\/+$/, '')
  return {
    kind: 'endpoint',
    source,
    baseURL,
    ...(model ? { model } : {}),
    local: isLoopbackHost(parsed.hostname),
  }
}

function ollamaOrigin(env: Env): string {
  const host = env.OLLAMA_HOST?.trim()
  if (!host) return 'http://localhost:11434'
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`
  const url = new URL(withScheme)
  if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(withScheme)) url.port = '11434'
  return url.origin
}

/** URL hostnames arrive normalised (`0x7f000001` is 127.0.0.1); `127.0.0.1.example.com` is a name, not loopback. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
}
