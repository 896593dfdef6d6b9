// Reads the session store for the flywheel, later and apart from the agent: its own read-only connection
// (never a migration, never a write), waiting out a busy database, and asking only for the sessions of the
// projects the user opted in (the query names them; no other session is read).
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { ChatMessage } from '../model/types.js'
import type { AgentEvent } from '../session/events.js'
import type { SessionRecord } from '../session/ports.js'
import { type SessionRow, toRecord } from '../store/sqlite-store.js'

type Db = InstanceType<typeof Database>

const BUSY_TIMEOUT_MS = 10_000
/** The schema version that added sessions.project; an older store is read through cwd alone. */
const PROJECT_COLUMN_VERSION = 4

export class FlywheelStoreError extends Error {
  override name = 'FlywheelStoreError'
}

export interface StoredSession {
  record: SessionRecord
  events: AgentEvent[]
  messages: ChatMessage[]
}

export class SessionReader {
  private constructor(
    private readonly db: Db | undefined,
    private readonly hasProject: boolean,
  ) {}

  /** The store at `path`, read-only; a store that does not exist yet has no sessions. */
  static open(path: string): SessionReader {
    if (!existsSync(path)) return new SessionReader(undefined, true)
    let db: Db
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    } catch (error) {
      throw new FlywheelStoreError(`cannot open the session store ${path}: ${(error as Error).message}`)
    }
    const version = db.pragma('user_version', { simple: true }) as number
    return new SessionReader(db, version >= PROJECT_COLUMN_VERSION)
  }

  close(): void {
    this.db?.close()
  }

  /** The sessions of these project roots (exact paths), oldest first, without their events. */
  sessions(projects: readonly string[], since?: number): SessionRecord[] {
    const db = this.db
    if (!db || projects.length === 0) return []
    const root = this.hasProject ? 'COALESCE(project, cwd)' : 'cwd'
    const marks = projects.map(() => '?').join(', ')
    const sql = `SELECT * FROM sessions WHERE ${root} IN (${marks})${since !== undefined ? ' AND updated_at >= ?' : ''} ORDER BY created_at, id`
    const params = since !== undefined ? [...projects, since] : [...projects]
    return whileBusy(() => db.prepare<unknown[], SessionRow>(sql).all(...params)).map((row) =>
      toRecord(this.hasProject ? row : { ...row, project: row.cwd }),
    )
  }

  /** One session's event log and conversation, read in one transaction so that they agree. */
  read(record: SessionRecord): StoredSession {
    const db = this.db
    if (!db) return { record, events: [], messages: [] }
    const read = db.transaction(() => ({
      events: db
        .prepare<[string], { body: string }>('SELECT body FROM events WHERE session_id = ? ORDER BY seq')
        .all(record.id)
        .map((r) => JSON.parse(r.body) as AgentEvent),
      messages: db
        .prepare<[string], { body: string }>('SELECT body FROM messages WHERE session_id = ? ORDER BY idx')
        .all(record.id)
        .map((r) => JSON.parse(r.body) as ChatMessage),
    }))
    return { record, ...whileBusy(() => read.deferred()) }
  }
}

/** SQLITE_BUSY can reach a reader while a writer checkpoints the WAL; retry within the deadline. */
function whileBusy<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return step()
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) {
        if (code.startsWith('SQLITE_BUSY'))
          throw new FlywheelStoreError(`the session store stayed busy for ${BUSY_TIMEOUT_MS / 1000} s`)
        throw error
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait)
    }
  }
}
