// Asks an OpenAI-compatible server which models it serves (GET /models).
import { describeConnectionError, ModelError, unreachable } from './errors.js'

export interface ServedModel {
  id: string
  contextWindow?: number
}

export async function listServedModels(
  baseURL: string,
  timeoutMs: number,
  apiKey?: string,
): Promise<ServedModel[]> {
  const url = `${baseURL}/models`
  let response: Response
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    })
  } catch (error) {
    throw unreachable(baseURL, describeConnectionError(error))
  }
  if (!response.ok) {
    throw new ModelError('http', `${url} answered HTTP ${response.status}`, baseURL)
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new ModelError(
      'protocol',
      `${url} did not answer with JSON: is this an OpenAI-compatible server?`,
      baseURL,
    )
  }
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) {
    throw new ModelError('protocol', `${url} answered without a "data" list of models`, baseURL)
  }
  return data.flatMap((entry): ServedModel[] => {
    if (typeof entry?.id !== 'string') return []
    const contextWindow = firstNumber(entry, [
      'context_length',
      'max_model_len',
      'max_context_length',
      'context_window',
    ])
    return [{ id: entry.id, ...(contextWindow ? { contextWindow } : {}) }]
  })
}

/** Whether GET `url` answers 2xx within the timeout: a health check. */
export async function respondsOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

function firstNumber(entry: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = entry[key]
    if (typeof value === 'number' && value > 0) return value
  }
  return undefined
}
