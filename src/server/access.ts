// Session ownership between the clients of one server: a client uses the sessions it created, and those it
// proves it may resume with the session's resume token (handed out once, in session/new's `_meta`).
import { createHash, randomBytes } from 'node:crypto'
import { RequestError } from '@agentclientprotocol/sdk'
import type { SessionAccess } from '../acp/agent.js'
import type { ResumeTokenStore } from '../store/sqlite-store.js'
import { sameSecret } from './auth.js'

/** Where the resume token travels: `_meta.punie.resumeToken`. */
export function resumeTokenOf(
  meta: Readonly<Record<string, unknown>> | null | undefined,
): string | undefined {
  const punie = meta?.punie
  if (typeof punie !== 'object' || punie === null) return undefined
  const token = (punie as Record<string, unknown>).resumeToken
  return typeof token === 'string' ? token : undefined
}

/** Tokens of several sessions, for session/list: `_meta.punie.resumeTokens`. */
export function resumeTokensOf(
  meta: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, string> {
  const tokens = (meta?.punie as { resumeTokens?: unknown } | undefined)?.resumeTokens
  if (typeof tokens !== 'object' || tokens === null) return {}
  return Object.fromEntries(Object.entries(tokens).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

export class ConnectionAccess implements SessionAccess {
  /** Sessions this connection may use. */
  readonly owned = new Set<string>()

  constructor(private readonly tokens: ResumeTokenStore) {}

  created(sessionId: string): Record<string, unknown> {
    const token = randomBytes(32).toString('base64url')
    this.tokens.saveResumeTokenHash(sessionId, hashOf(token))
    this.owned.add(sessionId)
    return { punie: { resumeToken: token } }
  }

  admit(sessionId: string, meta: Readonly<Record<string, unknown>> | null | undefined): void {
    if (this.owned.has(sessionId)) return
    if (this.proves(sessionId, resumeTokenOf(meta))) {
      this.owned.add(sessionId)
      return
    }
    // The same answer whether or not the session exists, so nothing about other clients' sessions leaks.
    throw new RequestError(
      -32002,
      `session ${sessionId} is not yours: resume it with the resume token it was created with (_meta.punie.resumeToken)`,
    )
  }

  /**
   * Its own sessions, and those whose token the request carries in `_meta.punie.resumeTokens` ({id: token}):
   * how a restarted client lists the sessions it made earlier. Listing does not admit; loading still does.
   */
  visible(sessionId: string, meta: Readonly<Record<string, unknown>> | null | undefined): boolean {
    return this.owned.has(sessionId) || this.proves(sessionId, resumeTokensOf(meta)[sessionId])
  }

  private proves(sessionId: string, presented: string | undefined): boolean {
    const expected = this.tokens.resumeTokenHash(sessionId)
    return presented !== undefined && expected !== undefined && sameSecret(hashOf(presented), expected)
  }
}
