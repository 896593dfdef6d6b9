// The resume tokens a client holds for its server sessions, kept in a 0600 file so a restarted IDE bridge can
// still load the sessions it created.
import { readFileSync } from 'node:fs'
import { writePrivateFile } from '../config/private-file.js'

export interface ResumeTokenBook {
  get(sessionId: string): string | undefined
  set(sessionId: string, token: string): void
  /** Every token, by session id. */
  all(): Record<string, string>
}

const KEEP = 500

export class FileResumeTokenBook implements ResumeTokenBook {
  private readonly tokens: Map<string, string>

  constructor(private readonly path: string) {
    this.tokens = new Map(Object.entries(readTokens(path)))
  }

  get(sessionId: string): string | undefined {
    return this.tokens.get(sessionId)
  }

  all(): Record<string, string> {
    return Object.fromEntries(this.tokens)
  }

  set(sessionId: string, token: string): void {
    this.tokens.delete(sessionId)
    this.tokens.set(sessionId, token)
    // Oldest first in insertion order: keep the most recent sessions.
    while (this.tokens.size > KEEP) this.tokens.delete(this.tokens.keys().next().value as string)
    writePrivateFile(this.path, JSON.stringify(Object.fromEntries(this.tokens)))
  }
}

function readTokens(path: string): Record<string, string> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (typeof value !== 'object' || value === null) return {}
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >
  } catch {
    return {}
  }
}
