// Answers the agent's permission requests for a command-line client: asks on the terminal (y / n / always),
// allows with --yes, and denies when there is nobody to ask.

import { isAbsolute, relative } from 'node:path'
import type {
  RequestPermissionRequest,
  RequestPermissionResponse,
  ToolCallContent,
} from '@agentclientprotocol/sdk'
import { diffText } from './diff-text.js'

export interface PermissionPolicy {
  /** --yes: allow once without asking. */
  yes: boolean
  /** Asks a question on the terminal and resolves with the typed line; absent without a terminal. */
  ask?: (question: string, signal: AbortSignal) => Promise<string>
  /** Where notes go (denials, what is being asked). */
  note(text: string): void
  /** The workspace root, to show paths relative to it. */
  workspace?: string
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
  const title = visible(request.toolCall.title ?? 'a tool call')
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
  // What the call would do (an edit's diff, the code it runs), so the answer is an informed one.
  for (const line of proposedChange(request.toolCall.content ?? [], policy.workspace))
    policy.note(visible(line, /\t/))
  for (;;) {
    let line: string
    try {
      line = await policy.ask(`Allow ${title}? [y]es / [n]o / [a]lways: `, signal)
    } catch {
      policy.note(`no longer asked: ${title} (answered in another client, or the turn ended)`)
      return { outcome: { outcome: 'cancelled' } }
    }
    const kind = ANSWERS[line.trim().toLowerCase()]
    // "always" is not offered for every call (a sensitive write, a compound command).
    if (kind && request.options.some((o) => o.kind === kind)) return choose(kind)
    policy.note('please answer y, n or a')
  }
}

/**
 * Text as the terminal must show it for an informed answer: control characters (a carriage return, an escape
 * sequence that clears the line) and bidirectional overrides could make `rm -rf ~ #\rls` read as `ls`, so each
 * is written out as `\u{…}`, except those in `keep`.
 */
export function visible(text: string, keep?: RegExp): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/gu, (c) =>
    keep?.test(c) ? c : `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  )
}

/** Lines showing a tool call's content: a unified diff for each diff, text as it is; bounded either way. */
export function proposedChange(
  content: readonly ToolCallContent[],
  workspace?: string,
  maxLines = 80,
): string[] {
  const shown = (path: string) => {
    const rel = workspace ? relative(workspace, path) : path
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
  }
  const lines = content.flatMap((item): string[] => {
    if (item.type === 'diff')
      return diffText(shown(item.path), item.oldText ?? null, item.newText, { maxLines })
    if (item.type === 'content' && item.content.type === 'text') return item.content.text.split('\n')
    return []
  })
  return lines.length > maxLines
    ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`]
    : lines
}
