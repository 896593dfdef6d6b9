// Creates, opens, lists and closes sessions; the one session core every surface shares.
import { randomUUID } from 'node:crypto'
import { statSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { createStubCache, type StubCache } from '../codemode/stub-cache.js'
import type { Logger } from '../log/logger.js'
import type { ModelSource } from '../model/types.js'
import { quote } from '../quote.js'
import type { PermissionMode } from '../tools/permission.js'
import type { ToolMode } from '../tools/tool-mode.js'
import type { AgentConfig } from './config.js'
import { type ContextState, EMPTY_CONTEXT } from './context-view.js'
import type { AgentEvent, AgentEventListener } from './events.js'
import type {
  ProjectSummary,
  SessionPage,
  SessionQuery,
  SessionRecord,
  SessionStore,
  SessionSurface,
} from './ports.js'
import { ProjectPool, projectRootOf } from './project.js'
import { interruptedRepairs } from './recover.js'
import { Session, type SessionState } from './session.js'

export interface SessionManagerDeps {
  store: SessionStore
  models: ModelSource
  config: AgentConfig
  logger: Logger
  /**
   * What a new session in `cwd` starts with: its model, its mode where the project chooses one, and notices
   * for its first turn (project settings that were ignored).
   */
  newSessionDefaults(cwd: string): { model: string; mode?: PermissionMode; notices?: string[] }
  defaultMode: PermissionMode
  defaultToolMode: ToolMode
  env: Readonly<Record<string, string | undefined>>
  /** The surface of a session no client has attached: local workspace, built-in tools, nobody to ask. */
  localSurface(record: SessionRecord): SessionSurface
}

/** Makes the surface a client attaches to a session, once the session's record is known. */
export type SurfaceFactory = (record: SessionRecord) => SessionSurface

export class SessionNotFoundError extends Error {
  override name = 'SessionNotFoundError'
  constructor(readonly sessionId: string) {
    super(`no session ${sessionId}`)
  }
}

export class InvalidSessionRequestError extends Error {
  override name = 'InvalidSessionRequestError'
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>()
  private readonly observers = new Set<AgentEventListener>()
  private readonly openings = new Set<(id: string, open: boolean) => void>()
  private readonly projects: ProjectPool
  /** Code Mode stubs by tool set, shared by this manager's sessions. */
  readonly stubs: StubCache = createStubCache()

  constructor(private readonly deps: SessionManagerDeps) {
    this.projects = new ProjectPool({ idleMs: deps.config.devtools.idleTimeoutMs })
  }

  create(options: { cwd: string; additionalDirectories?: string[]; surface?: SurfaceFactory }): Session {
    assertDirectory(options.cwd)
    for (const dir of options.additionalDirectories ?? []) assertDirectory(dir)
    const now = Date.now()
    const defaults = this.deps.newSessionDefaults(options.cwd)
    const record: SessionRecord = {
      id: randomUUID(),
      cwd: options.cwd,
      project: projectRootOf(options.cwd),
      additionalDirectories: options.additionalDirectories ?? [],
      model: defaults.model,
      mode: defaults.mode ?? this.deps.defaultMode,
      toolMode: this.deps.defaultToolMode,
      createdAt: now,
      updatedAt: now,
    }
    this.deps.store.createSession(record)
    this.deps.store.claim(record.id)
    return this.activate(
      record,
      { history: [], lastSeq: 0, grants: { allowed: [], rejected: [] }, notices: defaults.notices ?? [] },
      options.surface,
    )
  }

  /** The live session, loading it from the store after a restart; `surface` attaches the calling client. */
  open(id: string, surface?: SurfaceFactory): Session {
    const live = this.sessions.get(id)
    if (live && !surface) return live
    const record = this.deps.store.getSession(id)
    if (!record) throw new SessionNotFoundError(id)
    // Loading a session makes this process its writer: another that has it open is told on its next write.
    const takenFrom = this.deps.store.claim(id)
    if (takenFrom !== undefined) this.deps.logger.warn('session %s: taken over from pid %d', id, takenFrom)
    if (live && surface) {
      if (takenFrom === undefined) {
        live.attach(surface(live.info))
        return live
      }
      // Another process wrote the session meanwhile: this copy is stale, so read it again.
      this.sessions.delete(id)
      void live.close()
    }
    const history = this.deps.store.messages(id)
    const events = this.deps.store.events(id)
    const repairs = interruptedRepairs(events, history)
    for (const message of repairs.messages) {
      this.deps.store.appendMessage(id, message)
      history.push(message)
    }
    for (const body of repairs.events) {
      this.deps.store.appendEvent({ ...body, sessionId: id, seq: 0, at: Date.now() } as AgentEvent)
    }
    if (repairs.events.length)
      this.deps.logger.warn('session %s: %d interrupted calls/turns closed', id, repairs.events.length)
    const state = {
      history,
      lastSeq: this.deps.store.lastSeq(id),
      grants: this.deps.store.grants(id),
      context: contextStateFrom(this.deps.store.lastContextEvent(id)),
      modelsUsed: events.flatMap((e) => (e.type === 'session.model' ? [e.model] : [])),
    }
    return this.activate(record, state, surface)
  }

  /** Every event of every session, present and future: for recorders such as telemetry export. */
  observe(listener: AgentEventListener): () => void {
    this.observers.add(listener)
    const unsubscribes = [...this.sessions.values()].map((s) => s.subscribe(listener))
    return () => {
      this.observers.delete(listener)
      for (const unsubscribe of unsubscribes) unsubscribe()
    }
  }

  /** Told when a session opens in this process (created, loaded) and when it closes: for live views. */
  watchOpenings(listener: (id: string, open: boolean) => void): () => void {
    this.openings.add(listener)
    return () => this.openings.delete(listener)
  }

  /** The stored record of a session, open or not. */
  record(id: string): SessionRecord | undefined {
    return this.sessions.get(id)?.info ?? this.deps.store.getSession(id)
  }

  find(id: string): Session | undefined {
    return this.sessions.get(id)
  }

  list(query: SessionQuery): SessionPage {
    return this.deps.store.listSessions(query)
  }

  /** Projects with sessions, each with how many of its sessions are open now. */
  projectList(): (ProjectSummary & { openSessions: number })[] {
    const open = new Map(this.projects.active().map((p) => [p.root, p.openSessions]))
    return this.deps.store.listProjects().map((p) => ({ ...p, openSessions: open.get(p.root) ?? 0 }))
  }

  /** Sessions running in this process. */
  live(): Session[] {
    return [...this.sessions.values()]
  }

  transcript(id: string): AgentEvent[] {
    if (!this.deps.store.getSession(id)) throw new SessionNotFoundError(id)
    return this.deps.store.events(id)
  }

  async close(id: string): Promise<void> {
    const session = this.sessions.get(id)
    if (!session) {
      if (!this.deps.store.getSession(id)) throw new SessionNotFoundError(id)
      return
    }
    this.sessions.delete(id)
    await session.close()
    this.tell(id, false)
  }

  /**
   * The client that attached `surface` has gone: close the session (ending its turn as cancelled, with its state
   * already stored) unless another client has attached since. It opens again on the next load or resume.
   */
  async release(id: string, surface: SessionSurface): Promise<void> {
    const session = this.sessions.get(id)
    if (session?.isAttachedTo(surface)) await this.close(id)
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)))
    // Language servers kept warm for the next session end with the agent.
    await this.projects.dispose()
  }

  private activate(record: SessionRecord, state: SessionState, surface?: SurfaceFactory) {
    const session = new Session(record, state, (surface ?? this.deps.localSurface)(record), {
      store: this.deps.store,
      models: this.deps.models,
      config: this.deps.config,
      logger: this.deps.logger,
      env: this.deps.env,
      project: this.projects.acquire(record.project),
      stubs: this.stubs,
    })
    for (const observer of this.observers) session.subscribe(observer)
    this.sessions.set(record.id, session)
    this.tell(record.id, true)
    return session
  }

  private tell(id: string, open: boolean) {
    for (const listener of this.openings) {
      try {
        listener(id, open)
      } catch (error) {
        this.deps.logger.error('session watcher failed: %s', error)
      }
    }
  }
}

function contextStateFrom(event: AgentEvent | undefined): ContextState {
  return event?.type === 'context.compacted' ? event.state : EMPTY_CONTEXT
}

function assertDirectory(path: string) {
  if (!isAbsolute(path))
    throw new InvalidSessionRequestError(`cwd must be an absolute path, got ${quote(path)}`)
  let isDir = false
  try {
    isDir = statSync(path).isDirectory()
  } catch {
    // reported below
  }
  if (!isDir) throw new InvalidSessionRequestError(`${quote(path)} is not an existing directory`)
}
