// Requests to the dashboard's routes: same origin, the cookie, JSON both ways; errors as values with a status.
import type { ApiError } from '../../src/server/dashboard/api.js'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        method === 'POST'
          ? { 'Content-Type': 'application/json', Accept: 'application/json' }
          : { Accept: 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    })
  } catch (error) {
    throw new HttpError(
      0,
      `The server cannot be reached (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    const message =
      parsed && typeof (parsed as ApiError).error === 'string'
        ? (parsed as ApiError).error
        : `${method} ${path}: ${response.status} ${response.statusText}`
    throw new HttpError(response.status, message)
  }
  return parsed as T
}

export const getJson = <T>(path: string): Promise<T> => request<T>('GET', path)
export const postJson = <T = unknown>(path: string, body: unknown): Promise<T> =>
  request<T>('POST', path, body)

export const enc = encodeURIComponent
