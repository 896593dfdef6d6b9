import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { AgentEvent } from '../../src/session/events.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { migrate, openDatabase, SqliteStore, StoreError } from '../../src/store/sqlite-store.js'
import { makeTempDir } from '../helpers/temp.js'

const record = (id: string, updatedAt: number, cwd = '/ws', project = cwd) => ({
  project,
  id,
  cwd,
  additionalDirectories: [],
  model: 'local',
  mode: 'ask' as const,
  toolMode: 'direct' as const,
  createdAt: updatedAt,
  updatedAt,
})

describe('SqliteStore', () => {
  it('migrates a new database once and refuses one from a newer Punie', () => {
    const db = new Database(':memory:')
    migrate(db)
    migrate(db)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    expect(() => migrate(db)).toThrow(StoreError)
  })

  it('keeps sessions, events and messages across reopening the file, in WAL mode', () => {
    const dir = makeTempDir()
    const path = `${dir.path}/punie.db`
    const store = SqliteStore.open(path)
    store.createSession(record('a', 1))
    const event = { type: 'session.title', title: 'T', sessionId: 'a', seq: 1, at: 5 } as AgentEvent
    store.appendEvent(event)
    store.appendMessage('a', { role: 'user', content: 'hi' })
    store.appendMessage('a', { role: 'assistant', content: 'hello' })
    store.updateSession('a', { title: 'T', updatedAt: 9 })
    store.close()

    const db = openDatabase(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    const again = new SqliteStore(db)
    expect(again.getSession('a')).toMatchObject({ title: 'T', updatedAt: 9 })
    expect(again.events('a')).toEqual([event])
    expect(again.lastSeq('a')).toBe(1)
    expect(again.messages('a').map((m) => m.content)).toEqual(['hi', 'hello'])
    again.clearMessages('a')
    expect(again.messages('a')).toEqual([])
    expect(again.events('a')).toHaveLength(1)
    again.close()
    dir.remove()
  })

  it('pages sessions newest first with a stable cursor, even with equal timestamps', () => {
    const store = new SqliteStore(openDatabase(':memory:'))
    for (let i = 0; i < 7; i++) store.createSession(record(`s${i}`, i < 4 ? 100 : 200))
    store.createSession(record('other', 300, '/elsewhere'))
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = store.listSessions({ cwd: '/ws', limit: 3, ...(cursor ? { cursor } : {}) })
      seen.push(...page.sessions.map((s) => s.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(['s6', 's5', 's4', 's3', 's2', 's1', 's0'])
    expect(() => store.listSessions({ cursor: '%%%' })).toThrow(/invalid cursor/)
  })

  it('lists projects with their session counts, and keeps resume-token hashes per session', () => {
    const store = new SqliteStore(openDatabase(':memory:'))
    store.createSession(record('a', 100, '/repo/src', '/repo'))
    store.createSession(record('b', 300, '/repo', '/repo'))
    store.createSession(record('c', 200, '/loose'))
    expect(store.listProjects()).toEqual([
      { root: '/repo', sessions: 2, updatedAt: 300 },
      { root: '/loose', sessions: 1, updatedAt: 200 },
    ])
    expect(store.listSessions({ project: '/repo' }).sessions.map((s) => s.id)).toEqual(['b', 'a'])
    expect(store.getSession('a')?.project).toBe('/repo')
    expect(store.resumeTokenHash('a')).toBeUndefined()
    store.saveResumeTokenHash('a', 'h1')
    store.saveResumeTokenHash('a', 'h2')
    expect(store.resumeTokenHash('a')).toBe('h2')
  })

  it('gives sessions stored before projects existed their cwd as project', () => {
    const db = new Database(':memory:')
    db.exec(MIGRATIONS.slice(0, 3).join(';'))
    db.pragma('user_version = 3')
    db.prepare(
      "INSERT INTO sessions (id, cwd, model, created_at, updated_at) VALUES ('old', '/w', 'local', 1, 1)",
    ).run()
    migrate(db)
    expect(new SqliteStore(db).getSession('old')?.project).toBe('/w')
  })
})
