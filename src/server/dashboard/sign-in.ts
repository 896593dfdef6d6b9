// How a browser signs in without the server token ever sitting in a URL: `punie dashboard` asks the server
// (with the token) for a one-time link; opening it trades the link's code for an HttpOnly, SameSite=Strict
// cookie. Codes live a minute and work once; cookies live in this process only, so a restart signs everyone out.
import { createHash, randomBytes } from 'node:crypto'

export const CODE_TTL_MS = 60_000
export const COOKIE_TTL_MS = 12 * 60 * 60 * 1000
const MAX_CODES = 32
const MAX_COOKIES = 256

export interface SignInLink {
  code: string
  expiresAt: number
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex')
const secret = () => randomBytes(32).toString('base64url')

export class SignIns {
  // Only digests are kept: a heap dump or a log line of these maps gives nobody a way in.
  private readonly codes = new Map<string, number>()
  private readonly cookies = new Map<string, number>()
  private readonly signOuts = new Set<() => void>()

  constructor(private readonly now: () => number = Date.now) {}

  issue(): SignInLink {
    this.sweep()
    // The oldest unused link goes first, so a loop asking for links cannot grow the map.
    if (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value as string)
    const code = secret()
    const expiresAt = this.now() + CODE_TTL_MS
    this.codes.set(digest(code), expiresAt)
    return { code, expiresAt }
  }

  /** Spends a code: a new cookie value when the code is valid and unused, else undefined. */
  redeem(code: string | undefined): string | undefined {
    if (!code) return undefined
    const key = digest(code)
    const expiresAt = this.codes.get(key)
    this.codes.delete(key)
    if (expiresAt === undefined || expiresAt < this.now()) return undefined
    this.sweep()
    if (this.cookies.size >= MAX_COOKIES) this.cookies.delete(this.cookies.keys().next().value as string)
    const cookie = secret()
    this.cookies.set(digest(cookie), this.now() + COOKIE_TTL_MS)
    return cookie
  }

  signedIn(cookie: string | undefined): boolean {
    if (!cookie) return false
    const expiresAt = this.cookies.get(digest(cookie))
    return expiresAt !== undefined && expiresAt >= this.now()
  }

  signOut(cookie: string | undefined): void {
    if (!cookie || !this.cookies.delete(digest(cookie))) return
    for (const listener of this.signOuts) listener()
  }

  /** Told at each sign-out, so that open streams can check whether their reader is still signed in. */
  watchSignOuts(listener: () => void): () => void {
    this.signOuts.add(listener)
    return () => this.signOuts.delete(listener)
  }

  private sweep(): void {
    const now = this.now()
    for (const map of [this.codes, this.cookies])
      for (const [key, expiresAt] of map) if (expiresAt < now) map.delete(key)
  }
}

/** The cookie's name carries the port: cookies are per host, not per port, and two servers may share a host. */
export const cookieName = (port: number) => `punie_dashboard_${port}`
