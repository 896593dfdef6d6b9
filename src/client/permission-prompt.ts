// Answers the agent's permission requests for a command-line client: asks on the terminal (y / n / always),
// allows with --yes, and denies when there is nobody to ask.
import type { RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk'

export interface PermissionPolicy {
  /** --yes: allow once without asking. */
  yes: boolean
  /** Asks a question on the terminal and resolves with the typed line; absent without a terminal. */
  ask?: (question: string, signal: AbortSignal) => Promise<string>
  /** Where notes go (denials, what is being asked). */
  note(text: string): void
}

const ANSWERS: Record<string, 'allow_once' | 'allow_always' | 'reject_once'> = {
  y: 'allow_once',
  yes: 'allow_once',
  a: 'allow_always',
  always: 'allow_always',
  n: 'reject_once',
  no: 'reject_once',
  '': 'reject_once',
}

export async function answerPermission(
  request: RequestPermissionRequest,
  policy: PermissionPolicy,
  signal: AbortSignal,
): Promise<RequestPermissionResponse> {
  const title = request.toolCall.title ?? 'a tool call'
  const choose = (kind: string): RequestPermissionResponse => {
    const option = request.options.find((o) => o.kind === kind)
    return option
      ? { outcome: { outcome: 'selected', optionId: option.optionId } }
      : { outcome: { outcome: 'cancelled' } }
  }
  if (policy.yes) {
    policy.note(`allowed (--yes): ${title}`)
    return choose('allow_once')
  }
  if (!policy.ask) {
    policy.note(`denied: ${title} (no terminal to ask; pass --yes to allow)`)
    return choose('reject_once')
  }
  for (;;) {
    let line: string
    try {
      line = await policy.ask(`Allow ${title}? [y]es / [n]o / [a]lways: `, signal)
    } catch {
      return { outcome: { outcome: 'cancelled' } }
    }
    const kind = ANSWERS[line.trim().toLowerCase()]
    // "always" is not offered for every call (a sensitive write, a compound command).
    if (kind && request.options.some((o) => o.kind === kind)) return choose(kind)
    policy.note('please answer y, n or a')
  }
}
