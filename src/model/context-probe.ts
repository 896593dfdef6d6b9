// What a model server says about its context window and how it counts tokens: llama.cpp, vLLM, LM Studio, Ollama.
// Each probe has a short deadline and fails to "unknown"; the caller falls back to the configured window.
import type { ModelContext, ModelWindow, ResolvedModel } from './types.js'

const PROBE_TIMEOUT_MS = 1000
const TOKENIZE_TIMEOUT_MS = 2000

/** The server's root: `http://host:8080/v1` → `http://host:8080` (llama.cpp, vLLM, LM Studio and Ollama serve their own APIs there). */
export function serverOrigin(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '')
}

const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined

/** llama.cpp `GET /props`. */
export function windowFromLlamaProps(body: unknown): number | undefined {
  const props = body as { default_generation_settings?: { n_ctx?: unknown }; n_ctx?: unknown } | undefined
  return positive(props?.default_generation_settings?.n_ctx) ?? positive(props?.n_ctx)
}

/** llama.cpp `GET /props`: `total_slots` (the `--parallel` it runs with). */
export function slotsFromLlamaProps(body: unknown): number | undefined {
  return positive((body as { total_slots?: unknown } | undefined)?.total_slots)
}

/** vLLM `GET /v1/models`: each entry carries `max_model_len`. */
export function windowFromModelList(body: unknown, model: string): number | undefined {
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) return undefined
  const entry = pickEntry(data, model)
  return positive(entry?.max_model_len) ?? positive(entry?.context_length)
}

/** LM Studio `GET /api/v0/models`: the loaded context wins over the model's maximum. */
export function windowFromLmStudio(body: unknown, model: string): number | undefined {
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) return undefined
  const entry = pickEntry(data, model)
  return positive(entry?.loaded_context_length) ?? positive(entry?.max_context_length)
}

/** Ollama `POST /api/show`: `num_ctx` when the model sets one, else `<arch>.context_length`. */
export function windowFromOllamaShow(body: unknown): number | undefined {
  const show = body as { model_info?: Record<string, unknown>; parameters?: unknown } | undefined
  if (typeof show?.parameters === 'string') {
    const numCtx = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters)?.[1]
    if (numCtx) return positive(Number(numCtx))
  }
  const info = show?.model_info
  if (!info || typeof info !== 'object') return undefined
  const arch = info['general.architecture']
  if (typeof arch === 'string') {
    const value = positive(info[`${arch}.context_length`])
    if (value) return value
  }
  for (const [key, value] of Object.entries(info)) {
    if (key.endsWith('.context_length') && positive(value)) return positive(value)
  }
  return undefined
}

/** Token count from `POST /tokenize`: llama.cpp answers `{tokens}`, vLLM `{count, tokens}`. */
export function tokenCountFrom(body: unknown): number | undefined {
  const answer = body as { count?: unknown; tokens?: unknown } | undefined
  if (typeof answer?.count === 'number') return answer.count
  return Array.isArray(answer?.tokens) ? answer.tokens.length : undefined
}

function pickEntry(data: unknown[], model: string): Record<string, unknown> | undefined {
  const entries = data.filter((e): e is Record<string, unknown> => Boolean(e) && typeof e === 'object')
  const lower = model.toLowerCase()
  return (
    entries.find((e) => e.id === model) ??
    entries.find((e) => typeof e.id === 'string' && e.id.toLowerCase() === lower) ??
    (entries.length === 1 ? entries[0] : undefined)
  )
}

async function getJson(url: string, timeoutMs: number, init?: RequestInit): Promise<unknown> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) {
      await response.body?.cancel()
      return undefined
    }
    return await response.json()
  } catch {
    return undefined
  }
}

const postJson = (url: string, body: unknown, timeoutMs: number, signal?: AbortSignal) =>
  getJson(url, timeoutMs, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) } : {}),
  })

/** Which server answered `/v1/models`, from what each puts in its entries; undefined when none is recognised. */
export type ServerKind = 'vllm' | 'llamacpp' | 'lmstudio' | 'ollama'

export function serverKindOf(
  entry: Record<string, unknown> | undefined,
  origin: string,
): ServerKind | undefined {
  const ownedBy = entry?.owned_by
  if (ownedBy === 'vllm' || entry?.max_model_len !== undefined) return 'vllm'
  if (ownedBy === 'llamacpp' || (entry?.meta as { n_ctx_train?: unknown } | undefined)?.n_ctx_train)
    return 'llamacpp'
  if (ownedBy === 'organization_owner') return 'lmstudio'
  if (ownedBy === 'library' || ownedBy === 'ollama' || new URL(origin).port === '11434') return 'ollama'
  return undefined
}

/**
 * Asks `/v1/models`, which every OpenAI-compatible server has, and then only the endpoint of the server it turns
 * out to be, so that no server is sent requests for another's API. The running context wins over the model's maximum.
 */
export async function probeContextWindow(
  info: ResolvedModel,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ModelWindow> {
  const origin = serverOrigin(info.baseURL)
  const auth = info.apiKey ? { headers: { authorization: `Bearer ${info.apiKey}` } } : undefined
  const models = await getJson(`${info.baseURL.replace(/\/+$/, '')}/models`, timeoutMs, auth)
  const data = (models as { data?: unknown })?.data
  const entry = Array.isArray(data) ? pickEntry(data, info.model) : undefined
  const found: [string, number | undefined][] = []
  let slots: number | undefined
  switch (serverKindOf(entry, origin)) {
    case 'llamacpp': {
      const props = await getJson(`${origin}/props`, timeoutMs)
      found.push(['llama.cpp /props', windowFromLlamaProps(props)])
      slots = slotsFromLlamaProps(props)
      break
    }
    case 'lmstudio': {
      const listing = await getJson(`${origin}/api/v0/models`, timeoutMs)
      found.push(['LM Studio /api/v0/models', windowFromLmStudio(listing, info.model)])
      break
    }
    case 'ollama': {
      const show = await postJson(`${origin}/api/show`, { model: info.model }, timeoutMs)
      found.push(['Ollama /api/show', windowFromOllamaShow(show)])
      break
    }
    default:
  }
  found.push(
    ['/v1/models', windowFromModelList(models, info.model)],
    ['/v1/models (listing)', info.contextWindow],
  )
  const served = slots ? { slots } : {}
  for (const [source, contextWindow] of found) if (contextWindow) return { contextWindow, source, ...served }
  return served
}

/**
 * The model's context facts, probed once per model (the promise is kept) and a tokenizer that stops asking
 * after the server has said it has no `/tokenize`.
 */
export function createModelContext(info: ResolvedModel): ModelContext {
  let window: Promise<ModelWindow> | undefined
  let tokenizeWorks: boolean | undefined
  const origin = serverOrigin(info.baseURL)
  // Remote APIs with a key (OpenAI, OpenRouter, Groq) have neither endpoint; asking them would only leak text.
  const local = info.apiKey === 'punie-local'
  return {
    window() {
      window ??= local ? probeContextWindow(info) : Promise.resolve(windowOfListing(info))
      return window
    },
    async countTokens(text, signal) {
      if (!local || tokenizeWorks === false) return undefined
      // llama.cpp reads `content`, vLLM `prompt` (and `model`); each ignores the other's field.
      const answer = await postJson(
        `${origin}/tokenize`,
        { model: info.model, content: text, prompt: text, add_special: false },
        TOKENIZE_TIMEOUT_MS,
        signal,
      )
      const count = tokenCountFrom(answer)
      if (tokenizeWorks === undefined) tokenizeWorks = count !== undefined
      return count
    },
  }
}

function windowOfListing(info: ResolvedModel): ModelWindow {
  return info.contextWindow ? { contextWindow: info.contextWindow, source: '/v1/models (listing)' } : {}
}
