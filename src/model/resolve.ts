// Turns a model spec into a concrete server + model, probing local servers when asked to.
import type { Env } from '../config/home.js'
import { describeConnectionError, ModelError, START_A_SERVER_HINT } from './errors.js'
import { listServedModels, type ServedModel } from './server-probe.js'
import { LOCAL_CANDIDATES, type ModelSpec } from './spec.js'
import type { ResolvedModel } from './types.js'

export interface ResolveOptions {
  env: Env
  probeTimeoutMs?: number
  contextWindow?: number
  /** Servers `local` probes, in order of preference. */
  localCandidates?: readonly LocalCandidate[]
}

export interface LocalCandidate {
  name: string
  baseURL: string
}

const LOCAL_API_KEY = 'punie-local'

export async function resolveModel(spec: ModelSpec, options: ResolveOptions): Promise<ResolvedModel> {
  const timeout = options.probeTimeoutMs ?? 1500
  if (spec.kind === 'auto') {
    return detectLocal(
      options.localCandidates ?? LOCAL_CANDIDATES,
      spec.model,
      timeout,
      options.contextWindow,
    )
  }

  let apiKey = LOCAL_API_KEY
  if (spec.apiKeyEnv) {
    const key = options.env[spec.apiKeyEnv]
    if (!key) throw new ModelError('auth', `${spec.apiKeyEnv} is not set: export it to use "${spec.source}"`)
    apiKey = key
  }
  if (spec.model) {
    return withWindow({ baseURL: spec.baseURL, model: spec.model, apiKey }, options.contextWindow)
  }
  const served = await listServedModels(spec.baseURL, timeout, apiKey)
  const first = served[0]
  if (!first) throw noModelLoaded(spec.baseURL)
  return withWindow(
    { baseURL: spec.baseURL, model: first.id, apiKey },
    options.contextWindow ?? first.contextWindow,
  )
}

async function detectLocal(
  candidates: readonly LocalCandidate[],
  model: string | undefined,
  timeoutMs: number,
  contextWindow?: number,
) {
  const probes = candidates.map((c) =>
    listServedModels(c.baseURL, timeoutMs).then(
      (models) => ({ ok: true as const, candidate: c, models }),
      (error: unknown) => ({ ok: false as const, candidate: c, error }),
    ),
  )
  const results = await Promise.all(probes)
  const answering = results.filter((r) => r.ok)
  for (const result of answering) {
    const chosen = pick(result.models, model)
    if (chosen) {
      return withWindow(
        { baseURL: result.candidate.baseURL, model: chosen.id, apiKey: LOCAL_API_KEY },
        contextWindow ?? chosen.contextWindow,
      )
    }
  }
  const tried = results.map((r) => `${r.candidate.name} ${r.candidate.baseURL}`).join(', ')
  if (answering.length === 0) {
    const first = results[0]
    // The probe's error already carries the fix; this message gives it once, for every server tried.
    const why = first && !first.ok ? probeFailure(first.error) : undefined
    const detail = why ? ` (${why})` : ''
    throw new ModelError(
      'unreachable',
      `No local model server found. Tried ${tried}${detail}. Fix: ${START_A_SERVER_HINT}.`,
      candidates[0]?.baseURL,
    )
  }
  const where = answering.map((r) => r.candidate.baseURL).join(', ')
  throw new ModelError(
    'no_model',
    model
      ? `No running local server serves "${model}" (asked ${where}). Load it, or pass --model with a served name.`
      : `The local server at ${where} has no model loaded. Load one, or pass --model.`,
  )
}

function pick(models: ServedModel[], wanted: string | undefined): ServedModel | undefined {
  if (!wanted) return models[0]
  return (
    models.find((m) => m.id === wanted) ?? models.find((m) => m.id.toLowerCase() === wanted.toLowerCase())
  )
}

function withWindow(model: ResolvedModel, contextWindow: number | undefined): ResolvedModel {
  return contextWindow ? { ...model, contextWindow } : model
}

function noModelLoaded(baseURL: string) {
  return new ModelError(
    'no_model',
    `The server at ${baseURL} lists no models. Load one, or name it in --model.`,
    baseURL,
  )
}

function probeFailure(error: unknown): string {
  if (error instanceof ModelError) return error.detail ?? error.message
  return describeConnectionError(error)
}
