// Every session's summary, kept up to date from the one event stream, and told to whoever watches (the overview).
import type { Logger } from '../../log/logger.js'
import type { SessionManager } from '../../session/manager.js'
import type { SessionRecord } from '../../session/ports.js'
import type { SessionSummary } from './api.js'
import { applyEvent, busyMs, emptyFacts, type SessionFacts } from './session-facts.js'

type Watcher = (summary: SessionSummary) => void

export class ActivityTracker {
  private readonly facts = new Map<string, SessionFacts>()
  private readonly watchers = new Set<Watcher>()
  private readonly stops: (() => void)[]

  constructor(
    private readonly manager: SessionManager,
    private readonly logger: Logger,
  ) {
    this.stops = [
      manager.observe((event) => {
        const known = this.facts.get(event.sessionId)
        // A session seen for the first time is read from the store, which already holds this event.
        if (!known) this.factsOf(event.sessionId)
        else if (!applyEvent(known, event)) return
        this.tell(event.sessionId)
      }),
      manager.watchOpenings((id) => this.tell(id)),
    ]
  }

  /** Told each time a session's summary changes: a turn step, a permission request, opening and closing. */
  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  summary(record: SessionRecord, now = Date.now()): SessionSummary {
    const facts = this.factsOf(record.id)
    const live = this.manager.find(record.id)
    // From the events, not the session: the summary made at turn.end must already say the turn is over.
    const running = live !== undefined && facts.turnStartedAt !== undefined
    const view = live ? (live.info as SessionRecord) : record
    return {
      id: view.id,
      title: view.title ?? null,
      cwd: view.cwd,
      project: view.project,
      model: view.model,
      mode: view.mode,
      toolMode: view.toolMode,
      createdAt: view.createdAt,
      updatedAt: Math.max(view.updatedAt, facts.activity.since),
      open: live !== undefined,
      running,
      client: live?.client ?? 'none',
      // A turn cut short by a crash leaves a start without an end: closed is closed.
      activity: live || running ? facts.activity : { state: 'closed', since: view.updatedAt },
      turns: facts.turns,
      promptTokens: facts.promptTokens,
      completionTokens: facts.completionTokens,
      busyMs: Math.round(busyMs(facts, now)),
      ...(facts.failure ? { failure: facts.failure } : {}),
    }
  }

  close(): void {
    for (const stop of this.stops) stop()
    this.watchers.clear()
  }

  private factsOf(id: string): SessionFacts {
    let facts = this.facts.get(id)
    if (facts) return facts
    facts = emptyFacts()
    try {
      for (const event of this.manager.transcript(id)) applyEvent(facts, event)
    } catch (error) {
      this.logger.warn('session %s: could not read its events for the dashboard: %s', id, error)
    }
    this.facts.set(id, facts)
    return facts
  }

  private tell(id: string): void {
    if (!this.watchers.size) return
    const record = this.manager.record(id)
    if (!record) return
    const summary = this.summary(record)
    for (const watcher of this.watchers) watcher(summary)
  }
}
