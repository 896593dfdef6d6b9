// SessionStore on SQLite (WAL), shared safely by several agent processes on one machine.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { ChatMessage } from '../model/types.js'
import type { AgentEvent } from '../session/events.js'
import type {
  ProjectSummary,
  SessionPage,
  SessionQuery,
  SessionRecord,
  SessionStore,
} from '../session/ports.js'
import { isToolMode } from '../session/ports.js'
import { isPermissionMode } from '../tools/permission.js'
import { MIGRATIONS } from './migrations.js'

type Db = InstanceType<typeof Database>

interface SessionRow {
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

export class StoreError extends Error {
  override name = 'StoreError'
}

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      `the database is from a newer Punie (schema ${current}, this build knows ${MIGRATIONS.length})`,
    )
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}

export class SqliteStore implements SessionStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
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
    this.db
      .prepare(`UPDATE sessions SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`)
      .run({ ...columns, id })
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

  appendEvent(event: AgentEvent): void {
    this.statements.insertEvent.run(event.sessionId, event.seq, event.type, event.at, JSON.stringify(event))
  }

  events(sessionId: string): AgentEvent[] {
    return this.statements.events.all(sessionId).map((row) => JSON.parse(row.body) as AgentEvent)
  }

  lastSeq(sessionId: string): number {
    return this.statements.lastSeq.get(sessionId)?.seq ?? 0
  }

  appendMessage(sessionId: string, message: ChatMessage): void {
    this.statements.insertMessage.run(sessionId, sessionId, message.role, JSON.stringify(message))
  }

  messages(sessionId: string): ChatMessage[] {
    return this.statements.messages.all(sessionId).map((row) => JSON.parse(row.body) as ChatMessage)
  }

  clearMessages(sessionId: string): void {
    this.statements.clearMessages.run(sessionId)
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
    this.statements.saveGrant.run(sessionId, key, allowed ? 1 : 0)
  }
}

function toRecord(row: SessionRow): SessionRecord {
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
  throw new InvalidCursorError(
    `invalid cursor ${JSON.stringify(cursor)}: pass back a nextCursor from session/list`,
  )
}
