// SessionStore on SQLite (WAL), shared safely by several agent processes on one machine: every write runs in
// a BEGIN IMMEDIATE transaction, event numbers are allocated inside it, and one process at a time writes a
// session (the last to open it; see claim). A claim outlives its process, so one that lost the session stays
// refused even after the other closes: its copy of the session is stale.
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { ChatMessage } from '../model/types.js'
import { quote } from '../quote.js'
import type { AgentEvent } from '../session/events.js'
import type {
  ProjectSummary,
  SessionPage,
  SessionQuery,
  SessionRecord,
  SessionStore,
} from '../session/ports.js'
import { SessionTakenOverError } from '../session/ports.js'
import { isPermissionMode } from '../tools/permission.js'
import { isToolMode } from '../tools/tool-mode.js'
import { MIGRATIONS } from './migrations.js'

type Db = InstanceType<typeof Database>

export interface SessionRow {
  id: string
  cwd: string
  project: string | null
  additional_dirs: string
  title: string | null
  model: string
  mode: string
  tool_mode: string
  created_at: number
  updated_at: number
}

const PAGE_SIZE = 50

/** Where the server keeps the hashes of its clients' resume tokens (see server/access.ts). */
export interface ResumeTokenStore {
  resumeTokenHash(sessionId: string): string | undefined
  saveResumeTokenHash(sessionId: string, hash: string): void
}

export class StoreError extends Error {
  override name = 'StoreError'
}

// Several agents opening one home at once wait for each other's transactions instead of failing.
const BUSY_TIMEOUT_MS = 10_000

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS })
  // Before anything that takes a lock, so that a second process starting at the same time waits.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // Switching a fresh file to WAL, or reading it while another process does, can fail with SQLITE_BUSY without
  // the busy handler being called: retry that step for as long as the busy timeout allows.
  whileBusy(() => db.pragma('journal_mode = WAL'))
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

function whileBusy<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      return step()
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY') !== true || Date.now() > deadline)
        throw error
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait)
    }
  }
}

/**
 * Brings the schema up to date. The version is read again inside a BEGIN IMMEDIATE transaction, which holds
 * the write lock: of two processes starting on a fresh home at once, the second waits, then finds the work
 * done instead of creating the tables a second time.
 */
export function migrate(db: Db): void {
  const version = () => db.pragma('user_version', { simple: true }) as number
  const check = (current: number) => {
    if (current > MIGRATIONS.length) {
      throw new StoreError(
        `the database is from a newer Punie (schema ${current}, this build knows ${MIGRATIONS.length})`,
      )
    }
  }
  check(version())
  if (version() === MIGRATIONS.length) return
  db.transaction(() => {
    const current = version()
    check(current)
    for (let next = current; next < MIGRATIONS.length; next++) db.exec(MIGRATIONS[next] as string)
    db.pragma(`user_version = ${MIGRATIONS.length}`)
  }).immediate()
}

export class SqliteStore implements SessionStore {
  private readonly statements
  /** Who this store is when it claims a session to write. */
  private readonly owner = randomUUID()

  constructor(private readonly db: Db) {
    this.statements = {
      writer: db.prepare<[string], { owner: string; pid: number }>(
        'SELECT owner, pid FROM session_writers WHERE session_id = ?',
      ),
      claim: db.prepare(
        `INSERT INTO session_writers (session_id, owner, pid, claimed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, claimed_at = excluded.claimed_at`,
      ),
      insertSession: db.prepare(
        'INSERT INTO sessions (id, cwd, project, additional_dirs, title, model, mode, tool_mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      insertEvent: db.prepare('INSERT INTO events (session_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)'),
      events: db.prepare<[string], { body: string }>(
        'SELECT body FROM events WHERE session_id = ? ORDER BY seq',
      ),
      lastSeq: db.prepare<[string], { seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM events WHERE session_id = ?',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (session_id, idx, role, body)
         VALUES (?, (SELECT COALESCE(MAX(idx), -1) + 1 FROM messages WHERE session_id = ?), ?, ?)`,
      ),
      messages: db.prepare<[string], { body: string }>(
        'SELECT body FROM messages WHERE session_id = ? ORDER BY idx',
      ),
      clearMessages: db.prepare('DELETE FROM messages WHERE session_id = ?'),
      lastContextEvent: db.prepare<[string], { body: string }>(
        "SELECT body FROM events WHERE session_id = ? AND type IN ('context.compacted', 'session.cleared') ORDER BY seq DESC LIMIT 1",
      ),
      grants: db.prepare<[string], { key: string; allowed: number }>(
        'SELECT key, allowed FROM grants WHERE session_id = ?',
      ),
      projects: db.prepare<[], ProjectSummary>(
        `SELECT COALESCE(project, cwd) AS root, COUNT(*) AS sessions, MAX(updated_at) AS updatedAt
         FROM sessions GROUP BY root ORDER BY updatedAt DESC`,
      ),
      resumeToken: db.prepare<[string], { token_hash: string }>(
        'SELECT token_hash FROM resume_tokens WHERE session_id = ?',
      ),
      saveResumeToken: db.prepare(
        'INSERT INTO resume_tokens (session_id, token_hash) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET token_hash = excluded.token_hash',
      ),
      saveGrant: db.prepare(
        'INSERT INTO grants (session_id, key, allowed) VALUES (?, ?, ?) ON CONFLICT (session_id, key) DO UPDATE SET allowed = excluded.allowed',
      ),
    }
  }

  static open(path: string): SqliteStore {
    return new SqliteStore(openDatabase(path))
  }

  close(): void {
    this.db.close()
  }

  /**
   * Makes this process the session's writer, taking it over from any other (session/load is the user asking
   * to continue the session here). Returns the pid of the process it was taken from, if that is not this one.
   */
  claim(sessionId: string): number | undefined {
    return this.db
      .transaction(() => {
        const previous = this.statements.writer.get(sessionId)
        this.statements.claim.run(sessionId, this.owner, process.pid, Date.now())
        return previous && previous.owner !== this.owner ? previous.pid : undefined
      })
      .immediate()
  }

  /** Runs `write` holding the write lock, unless another process has claimed the session since this one. */
  private write<T>(sessionId: string, write: () => T): T {
    return this.db
      .transaction(() => {
        const writer = this.statements.writer.get(sessionId)
        if (writer && writer.owner !== this.owner) throw new SessionTakenOverError(sessionId, writer.pid)
        return write()
      })
      .immediate()
  }

  createSession(r: SessionRecord): void {
    this.statements.insertSession.run(
      r.id,
      r.cwd,
      r.project,
      JSON.stringify(r.additionalDirectories),
      r.title ?? null,
      r.model,
      r.mode,
      r.toolMode,
      r.createdAt,
      r.updatedAt,
    )
  }

  updateSession(
    id: string,
    fields: Partial<Pick<SessionRecord, 'title' | 'model' | 'mode' | 'toolMode' | 'updatedAt'>>,
  ): void {
    const columns: Record<string, string | number> = {}
    if (fields.title !== undefined) columns.title = fields.title
    if (fields.model !== undefined) columns.model = fields.model
    if (fields.mode !== undefined) columns.mode = fields.mode
    if (fields.toolMode !== undefined) columns.tool_mode = fields.toolMode
    if (fields.updatedAt !== undefined) columns.updated_at = fields.updatedAt
    const names = Object.keys(columns)
    if (!names.length) return
    const update = this.db.prepare(
      `UPDATE sessions SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`,
    )
    this.write(id, () => update.run({ ...columns, id }))
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.statements.getSession.get(id)
    return row ? toRecord(row) : undefined
  }

  listSessions(query: SessionQuery): SessionPage {
    const limit = query.limit ?? PAGE_SIZE
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const where: string[] = []
    const params: Record<string, string | number> = { limit: limit + 1 }
    if (query.cwd) {
      where.push('cwd = @cwd')
      params.cwd = query.cwd
    }
    if (query.project) {
      where.push('project = @project')
      params.project = query.project
    }
    if (after) {
      where.push('(updated_at < @at OR (updated_at = @at AND id < @id))')
      params.at = after.at
      params.id = after.id
    }
    const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY updated_at DESC, id DESC LIMIT @limit`
    const rows = this.db.prepare<Record<string, string | number>, SessionRow>(sql).all(params)
    const page = rows.slice(0, limit).map(toRecord)
    const last = page[page.length - 1]
    return rows.length > limit && last
      ? { sessions: page, nextCursor: encodeCursor(last) }
      : { sessions: page }
  }

  listProjects(): ProjectSummary[] {
    return this.statements.projects.all()
  }

  /** The hash of the token that lets a server client resume the session; see server/access. */
  resumeTokenHash(sessionId: string): string | undefined {
    return this.statements.resumeToken.get(sessionId)?.token_hash
  }

  saveResumeTokenHash(sessionId: string, hash: string): void {
    this.statements.saveResumeToken.run(sessionId, hash)
  }

  /** Sessions touched at or after `at` (ms since the epoch), oldest first. */
  sessionsUpdatedSince(at: number): SessionRecord[] {
    return this.db
      .prepare<[number], SessionRow>('SELECT * FROM sessions WHERE updated_at >= ? ORDER BY created_at')
      .all(at)
      .map(toRecord)
  }

  /** Stores the event under the next number of its session, allocated in the same transaction; returns it. */
  appendEvent(event: AgentEvent): number {
    return this.write(event.sessionId, () => {
      const seq = (this.statements.lastSeq.get(event.sessionId)?.seq ?? 0) + 1
      this.statements.insertEvent.run(
        event.sessionId,
        seq,
        event.type,
        event.at,
        JSON.stringify({ ...event, seq }),
      )
      return seq
    })
  }

  events(sessionId: string): AgentEvent[] {
    return this.statements.events.all(sessionId).map((row) => JSON.parse(row.body) as AgentEvent)
  }

  lastSeq(sessionId: string): number {
    return this.statements.lastSeq.get(sessionId)?.seq ?? 0
  }

  appendMessage(sessionId: string, message: ChatMessage): void {
    this.write(sessionId, () =>
      this.statements.insertMessage.run(sessionId, sessionId, message.role, JSON.stringify(message)),
    )
  }

  messages(sessionId: string): ChatMessage[] {
    return this.statements.messages.all(sessionId).map((row) => JSON.parse(row.body) as ChatMessage)
  }

  clearMessages(sessionId: string): void {
    this.write(sessionId, () => this.statements.clearMessages.run(sessionId))
  }

  lastContextEvent(sessionId: string): AgentEvent | undefined {
    const row = this.statements.lastContextEvent.get(sessionId)
    return row ? (JSON.parse(row.body) as AgentEvent) : undefined
  }

  grants(sessionId: string): { allowed: string[]; rejected: string[] } {
    const rows = this.statements.grants.all(sessionId)
    return {
      allowed: rows.filter((r) => r.allowed).map((r) => r.key),
      rejected: rows.filter((r) => !r.allowed).map((r) => r.key),
    }
  }

  saveGrant(sessionId: string, key: string, allowed: boolean): void {
    this.write(sessionId, () => this.statements.saveGrant.run(sessionId, key, allowed ? 1 : 0))
  }
}

export function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    cwd: row.cwd,
    project: row.project ?? row.cwd,
    additionalDirectories: JSON.parse(row.additional_dirs) as string[],
    ...(row.title ? { title: row.title } : {}),
    model: row.model,
    mode: isPermissionMode(row.mode) ? row.mode : 'ask',
    toolMode: isToolMode(row.tool_mode) ? row.tool_mode : 'both',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError'
}

function encodeCursor(record: SessionRecord): string {
  return Buffer.from(JSON.stringify({ at: record.updatedAt, id: record.id })).toString('base64url')
}

function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof value?.at === 'number' && typeof value?.id === 'string') return value
  } catch {
    // reported below
  }
  throw new InvalidCursorError(`invalid cursor ${quote(cursor)}: pass back a nextCursor from session/list`)
}
