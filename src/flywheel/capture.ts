// The flywheel's pipeline: the opted-in projects' sessions, read one at a time, cut into turns, labelled,
// made into examples and scrubbed. Nothing unscrubbed leaves this module.
import type { Example } from '../dataset/example.js'
import { labelTurn } from './labels.js'
import { offeredDeriver } from './offered.js'
import type { SecretKind } from './scrub.js'
import { scrubExample } from './scrub-example.js'
import type { SessionReader } from './session-reader.js'
import { turnToExample } from './to-example.js'
import { splitTurns } from './turns.js'

export interface CaptureOptions {
  /** The store spellings of the project roots to read (opt-in.ts storeSpellings). */
  projects: readonly string[]
  /** Turns started at or after this time (ms since the epoch). */
  since?: number
  /** Replaced with `~` in every string. */
  home?: string
}

export interface CapturedSession {
  sessionId: string
  project: string
  turns: number
  /** Model turns whose conversation the store no longer has (before a /clear). */
  lost: number
  examples: { example: Example; found: Partial<Record<SecretKind, number>> }[]
}

export function* captureSessions(reader: SessionReader, options: CaptureOptions): Generator<CapturedSession> {
  const offered = offeredDeriver()
  for (const record of reader.sessions(options.projects, options.since)) {
    const stored = reader.read(record)
    const { turns, lost } = splitTurns(stored.events, stored.messages)
    const examples = turns.flatMap((turn, i) => {
      if (options.since !== undefined && turn.at < options.since) return []
      const labels = labelTurn(turn, turns[i + 1]?.prompt)
      const example = turnToExample(record, turn, labels, offered(record))
      return [scrubExample(example, options.home ? { home: options.home } : {})]
    })
    yield { sessionId: record.id, project: record.project, turns: turns.length, lost, examples }
  }
}
