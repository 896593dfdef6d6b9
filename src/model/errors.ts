// Model failures as values with a message a user can act on.
export type ModelErrorKind = 'unreachable' | 'http' | 'protocol' | 'auth' | 'no_model' | 'config' | 'timeout'

export class ModelError extends Error {
  override name = 'ModelError'
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly url?: string,
    /** For an unreachable server: why, in a few words ("connection refused"), without the fix. */
    readonly detail?: string,
  ) {
    super(message)
  }
}

export const START_A_SERVER_HINT =
  'start LM Studio, Ollama or llama.cpp (llama-server), or pass --model (e.g. --model ollama:qwen2.5-coder:7b)'

export function unreachable(url: string, detail?: string): ModelError {
  const why = detail ? ` (${detail})` : ''
  return new ModelError(
    'unreachable',
    `No model server answered at ${url}${why}. Fix: ${START_A_SERVER_HINT}.`,
    url,
    detail,
  )
}

/** Codes meaning no connection was made: nothing listens there, or the host is not found. */
const NOT_CONNECTED: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
}

/**
 * The system error code of a failed request, looked for through `cause` chains and AggregateError's `errors`:
 * fetch wraps it as TypeError("fetch failed") → Error, and a host with several addresses (localhost as ::1
 * and 127.0.0.1) gives an AggregateError whose own code some Node versions leave unset.
 */
export function connectionErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string' && code) return code
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = connectionErrorCode(inner, depth + 1)
      if (found) return found
    }
  }
  return connectionErrorCode(cause, depth + 1)
}

/** A few words on why a request got no answer: "connection refused", "timed out", or the error's message. */
export function describeConnectionError(error: unknown): string {
  if ((error as { name?: string })?.name === 'TimeoutError') return 'timed out'
  const code = connectionErrorCode(error)
  if (code) return NOT_CONNECTED[code] ?? code
  return (error as { message?: string })?.message ?? String(error)
}

/**
 * A request that failed below HTTP: no connection at all (refused, unknown host) is an unreachable server with
 * the fix; a connection that was made and then lost broke off, and trying again may help.
 */
export function connectionFailed(url: string, error: unknown): ModelError {
  const code = connectionErrorCode(error)
  if (code && code in NOT_CONNECTED) return unreachable(url, NOT_CONNECTED[code])
  if (hasCauseMessage(error, 'bad port')) return blockedPort(url)
  return new ModelError(
    'unreachable',
    `The connection to the model server at ${url} broke off (${code ?? (error as Error)?.message ?? String(error)}); try again`,
    url,
  )
}

/**
 * fetch refuses ports on the fetch standard's blocked list (6000, 5060, 10080, …) before connecting, with a
 * bare "bad port": no server there can ever answer, so "try again" would mislead.
 */
function blockedPort(url: string): ModelError {
  let port = ''
  try {
    port = new URL(url).port
  } catch {
    // the url was used for the request, so it parses; without a port the message still holds
  }
  return new ModelError(
    'unreachable',
    `Cannot reach the model server at ${url}: Node's fetch refuses port ${port || '(default)'} (the fetch standard blocks it, as browsers do); run the server on another port, such as 8080`,
    url,
    'port blocked by fetch',
  )
}

function hasCauseMessage(error: unknown, message: string, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false
  const { message: own, cause } = error as { message?: unknown; cause?: unknown }
  return own === message || hasCauseMessage(cause, message, depth + 1)
}
