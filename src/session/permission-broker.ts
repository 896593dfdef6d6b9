// A permission request can be answered by the client attached to the session (the IDE's dialog) or by another
// one watching it (the dashboard). The first answer wins; the other asker's dialog is then withdrawn.
import type { PermissionOutcome } from '../tools/permission.js'
import type { PermissionRequest } from './ports.js'

type Asker = (request: PermissionRequest, signal: AbortSignal) => Promise<PermissionOutcome>

export class PermissionBroker {
  private readonly waiting = new Map<string, (outcome: PermissionOutcome) => void>()

  /** Asks `asker`, and waits for its answer or for `answer()` from elsewhere, whichever comes first. */
  ask(request: PermissionRequest, signal: AbortSignal, asker: Asker): Promise<PermissionOutcome> {
    const { toolCallId } = request
    // Aborted when the turn is cancelled, and when another client answered: the asker withdraws its dialog
    // (over ACP, `$/cancel_request`).
    const withdraw = new AbortController()
    const onCancel = () => withdraw.abort(signal.reason)
    // A turn cancelled while the call was being prepared asks nobody: the asker sees an aborted signal at once.
    if (signal.aborted) onCancel()
    else signal.addEventListener('abort', onCancel, { once: true })
    return new Promise<PermissionOutcome>((resolve, reject) => {
      const settle = (finish: () => void) => {
        if (this.waiting.get(toolCallId) !== answer) return
        this.waiting.delete(toolCallId)
        signal.removeEventListener('abort', onCancel)
        finish()
      }
      const answer = (outcome: PermissionOutcome) => {
        settle(() => resolve(outcome))
        withdraw.abort(new Error('answered in another client'))
      }
      this.waiting.set(toolCallId, answer)
      asker(request, withdraw.signal).then(
        (outcome) => settle(() => resolve(outcome)),
        (error: unknown) => settle(() => reject(error)),
      )
    })
  }

  /** Answers the request for `toolCallId` if it still waits; false when it was answered (or never asked). */
  answer(toolCallId: string, outcome: PermissionOutcome): boolean {
    const pending = this.waiting.get(toolCallId)
    if (!pending) return false
    pending(outcome)
    return true
  }

  get pending(): string[] {
    return [...this.waiting.keys()]
  }
}
