// Requests Punie sends to its ACP client, each with a deadline: a client that never answers fails the call with
// an error saying so, instead of hanging the turn.
import type { SendRequestOptions } from '@agentclientprotocol/sdk'

/** How long the client may take over a file read or write, or a terminal request other than wait_for_exit. */
export const DEFAULT_CLIENT_REQUEST_TIMEOUT_MS = 30_000

export class ClientTimeoutError extends Error {
  override name = 'TimeoutError'
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`the client did not answer ${method} within ${timeoutMs / 1000} s`)
  }
}

export interface RequestLimit {
  /** Fail with ClientTimeoutError after this long; undefined for no deadline of its own (see `signal`). */
  timeoutMs?: number
  /** The caller's cancellation (and the caller's own deadline, if it has one). */
  signal?: AbortSignal
}

/**
 * Sends one request through `send`, stopping the wait (and asking the client to cancel) when the caller
 * cancels or the deadline passes.
 */
export async function clientRequest<T>(
  method: string,
  limit: RequestLimit,
  send: (options: SendRequestOptions | undefined) => Promise<T>,
): Promise<T> {
  const timeout = limit.timeoutMs === undefined ? undefined : AbortSignal.timeout(limit.timeoutMs)
  const signals = [limit.signal, timeout].filter((s): s is AbortSignal => s !== undefined)
  const cancellationSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
  try {
    return await send(cancellationSignal ? { cancellationSignal, stopWaitingOnCancel: true } : undefined)
  } catch (error) {
    if (timeout?.aborted && !limit.signal?.aborted) {
      throw new ClientTimeoutError(method, limit.timeoutMs as number)
    }
    throw error
  }
}
