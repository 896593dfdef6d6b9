// `punie session list|export`: the sessions Punie recorded, and a session written out as a replayable cassette.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { homePaths, punieHome } from '../config/home.js'
import type { Cassette } from '../eval/cassette.js'
import { cassetteFrom } from '../eval/cassette-record.js'
import { scrubStrings } from '../flywheel/scrub-example.js'
import type { SessionRecord } from '../session/ports.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { packageVersion } from '../version.js'

export class SessionCommandError extends Error {
  override name = 'SessionCommandError'
}

function openStore(home = punieHome()): SqliteStore {
  const database = homePaths(home).database
  if (!existsSync(database))
    throw new SessionCommandError(`no sessions recorded yet (${database} does not exist)`)
  return SqliteStore.open(database)
}

/** The session named by `id`: its full id, a unique prefix of one, or "latest". */
function findSession(store: SqliteStore, id: string): SessionRecord {
  if (id === 'latest') {
    const latest = store.listSessions({ limit: 1 }).sessions[0]
    if (!latest) throw new SessionCommandError('no sessions recorded yet')
    return latest
  }
  const exact = store.getSession(id)
  if (exact) return exact
  const matches = store.sessionsUpdatedSince(0).filter((s) => s.id.startsWith(id))
  if (matches.length === 1) return matches[0] as SessionRecord
  throw new SessionCommandError(
    matches.length
      ? `${matches.length} sessions start with ${id}: give more of the id`
      : `no session ${id} (see punie session list)`,
  )
}

/** The cassette of a session, read from the store in `home`. */
export function sessionCassette(id: string, home = punieHome()): Cassette {
  const store = openStore(home)
  try {
    const record = findSession(store, id)
    const cassette = cassetteFrom({ record, events: store.events(record.id), punieVersion: packageVersion() })
    return cassette
  } finally {
    store.close()
  }
}

export function sessionExportCommand(id: string, opts: { out?: string; raw?: boolean }) {
  const recorded = sessionCassette(id)
  // Secrets the session saw (keys, tokens, passwords, the home path) are replaced before the cassette leaves the
  // store; a replay then sees the same placeholders in its starting files. --raw keeps them, for exact replays.
  const { value: cassette, found } = opts.raw
    ? { value: recorded, found: {} }
    : scrubStrings(recorded, { home: homedir() })
  const text = `${JSON.stringify(cassette, null, 2)}\n`
  const requests = cassette.turns.reduce((n, t) => n + t.exchanges.length, 0)
  const redacted = Object.entries(found).map(([kind, n]) => `${kind} ${n}`)
  const summary = `session ${cassette.session.id}: ${cassette.turns.length} turns, ${requests} model requests, ${Object.keys(cassette.files.start).length} starting files${redacted.length ? `; redacted: ${redacted.join(', ')} (--raw keeps them)` : ''}`
  if (!opts.out) {
    process.stdout.write(text)
    process.stderr.write(`${summary}\n`)
    return
  }
  const path = resolve(opts.out)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  process.stdout.write(`${summary}\ncassette: ${path}\nreplay with: punie eval replay ${opts.out}\n`)
}

export function sessionListCommand(opts: { json?: boolean; limit: number; cwd?: string }) {
  const store = openStore()
  try {
    const { sessions } = store.listSessions({
      limit: opts.limit,
      ...(opts.cwd ? { cwd: resolve(opts.cwd) } : {}),
    })
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`)
      return
    }
    if (!sessions.length) process.stdout.write('no sessions recorded yet\n')
    for (const s of sessions) {
      const when = new Date(s.updatedAt).toISOString().slice(0, 16).replace('T', ' ')
      process.stdout.write(`${s.id}  ${when}  ${s.title ?? '(untitled)'}  ${s.cwd}\n`)
    }
  } finally {
    store.close()
  }
}
