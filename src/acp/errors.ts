// Maps the session core's expected failures to JSON-RPC errors a client can show.
import { RequestError } from '@agentclientprotocol/sdk'
import { capMessage } from '../quote.js'

export function toRequestError(error: unknown): unknown {
  if (error instanceof RequestError) return error
  const name = (error as { name?: string })?.name
  const message = capMessage(error instanceof Error ? error.message : String(error))
  switch (name) {
    case 'SessionNotFoundError':
      return RequestError.sessionNotFound((error as { sessionId: string }).sessionId)
    case 'InvalidSessionRequestError':
    case 'ModelSpecError':
    case 'InvalidCursorError':
    case 'InvalidModeError':
      return RequestError.invalidParams(undefined, message)
    case 'ConfigError':
      // The user's settings, not Punie, are at fault: the message names the file and field to fix.
      return new RequestError(-32603, message, { file: (error as { file?: string }).file })
    case 'SessionBusyError':
    case 'SessionTakenOverError':
      return RequestError.invalidRequest(undefined, message)
    default:
      return RequestError.internalError(undefined, message)
  }
}

/** JSON-RPC code of a prompt whose turn failed; the `data` says why, for clients that script Punie. */
export const TURN_FAILED_CODE = -32603

/** The answer to a session/prompt whose turn failed: the reason as the message and in `data.punie.error`. */
export function turnFailedError(failure: string): RequestError {
  return new RequestError(TURN_FAILED_CODE, capMessage(failure), { punie: { error: failure } })
}
