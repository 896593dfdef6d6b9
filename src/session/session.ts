// A Session: one conversation, its running turn, and the event stream every surface reads.

import { EXECUTE_CODE } from '../codemode/execute-code.js'
import { CodeSandbox } from '../codemode/sandbox.js'
import type { StubCache } from '../codemode/stub-cache.js'
import {
  knowledgeContextLines,
  knowledgeStatus,
  ProjectKnowledge,
  skillsReport,
} from '../knowledge/instructions-and-skills.js'
import type { Logger } from '../log/logger.js'
import { acceptsImages } from '../model/choose.js'
import { ModelError } from '../model/errors.js'
import { ModelSpecError, parseModelSpec } from '../model/spec.js'
import type { ChatMessage, ModelSource } from '../model/types.js'
import { quote } from '../quote.js'
import { changesWorkspace } from '../tools/define.js'
import { isPermissionMode, PERMISSION_MODES, type PermissionOutcome } from '../tools/permission.js'
import { isToolMode, TOOL_MODES } from '../tools/tool-mode.js'
import { helpText, type ParsedCommand, parseSlashCommand, SLASH_COMMANDS } from './commands.js'
import type { AgentConfig } from './config.js'
import { SessionContext } from './context.js'
import { contextReport } from './context-report.js'
import { type ContextState, EMPTY_CONTEXT } from './context-view.js'
import type { AgentEvent, AgentEventBody, AgentEventListener, StopReason } from './events.js'
import { PermissionBroker } from './permission-broker.js'
import { type SessionRecord, type SessionStore, type SessionSurface, SessionTakenOverError } from './ports.js'
import { disposeAll, type ProjectHandle } from './project.js'
import { type PromptBlock, promptImages, promptPlainText, promptToModelText } from './prompt.js'
import { RequestLog } from './request-log.js'
import { buildSystemPrompt } from './system-prompt.js'
import { titleFromPrompt } from './title.js'
import { buildToolKit, kitFits, type ToolKit } from './tool-kit.js'
import { runTurn } from './turn.js'

export interface SessionDeps {
  store: SessionStore
  models: ModelSource
  config: AgentConfig
  logger: Logger
  env: Readonly<Record<string, string | undefined>>
  /** The session's hold on its project's shared values; released on close. */
  project: ProjectHandle
  /** Code Mode stubs, shared by the sessions of this core. */
  stubs: StubCache
}

export interface SessionState {
  history: ChatMessage[]
  lastSeq: number
  grants: { allowed: string[]; rejected: string[] }
  /** Said to the user at the start of the next turn (settings that were ignored), not sent to the model. */
  notices?: string[]
  /** What of the history the model sees (compaction), as last persisted. */
  context?: ContextState
  /** Models the session switched to before (from its stored events), still offered as choices. */
  modelsUsed?: string[]
}

export class InvalidModeError extends Error {
  override name = 'InvalidModeError'
  constructor(mode: string, known: readonly string[] = PERMISSION_MODES) {
    super(`unknown mode ${quote(mode)}: use one of ${known.join(', ')}`)
  }
}

export class SessionBusyError extends Error {
  override name = 'SessionBusyError'
  constructor(id: string) {
    super(`session ${id} is already running a prompt; cancel it or wait for it to finish`)
  }
}

export class Session {
  private readonly listeners = new Set<AgentEventListener>()
  private active: { controller: AbortController; done: Promise<StopReason> } | undefined
  private idCounter = 0
  private closed = false
  private history: ChatMessage[]
  private seq: number
  private readonly allowed: Set<string>
  private readonly rejected: Set<string>
  private sandbox: CodeSandbox | undefined
  private failure: string | undefined
  private notices: string[]
  /** The store failure last told to the user, so that a failing store does not repeat it for every event. */
  private unsaved: string | undefined
  private turnId: string | undefined
  /** Set once another process has opened the session: this one may no longer run turns in it. */
  private takenOver: SessionTakenOverError | undefined
  private readonly memos = new Map<string, unknown>()
  private readonly requestLog = new RequestLog()
  private kitCache: ToolKit | undefined
  private readonly context: SessionContext
  /** The project's instructions and skills, read at the first turn and again when a stat shows a change. */
  private readonly knowledge: ProjectKnowledge
  private knowledgeTold = false
  /** Every model this session has had (also before a restart), so that a client can switch back to any. */
  private readonly modelsHad: string[]
  private readonly permissions = new PermissionBroker()

  constructor(
    private record: SessionRecord,
    state: SessionState,
    private surface: SessionSurface,
    private readonly deps: SessionDeps,
  ) {
    this.history = state.history
    this.seq = state.lastSeq
    this.allowed = new Set(state.grants.allowed)
    this.rejected = new Set(state.grants.rejected)
    this.notices = state.notices ?? []
    this.knowledge = new ProjectKnowledge({
      cwd: record.cwd,
      root: record.project,
      ...(deps.config.userSkills ? { userSkills: deps.config.userSkills } : {}),
    })
    this.modelsHad = [...new Set([record.model, ...(state.modelsUsed ?? [])])]
    this.context = new SessionContext(state.context ?? EMPTY_CONTEXT, deps.config, (_state, body) =>
      this.emit(body),
    )
  }

  get id() {
    return this.record.id
  }
  get cwd() {
    return this.record.cwd
  }
  get project() {
    return this.record.project
  }
  get model() {
    return this.record.model
  }
  get modelsUsed(): readonly string[] {
    return this.modelsHad
  }
  get title() {
    return this.record.title
  }
  get mode() {
    return this.record.mode
  }
  get toolMode() {
    return this.record.toolMode
  }
  get workspace() {
    return this.surface.workspace
  }
  get isRunning() {
    return this.active !== undefined
  }
  get info(): Readonly<SessionRecord> {
    return this.record
  }

  subscribe(listener: AgentEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async prompt(blocks: PromptBlock[]): Promise<StopReason> {
    if (this.closed) throw new Error(`session ${this.id} is closed`)
    if (this.active) throw new SessionBusyError(this.id)
    if (this.takenOver) throw this.takenOver
    const controller = new AbortController()
    this.failure = undefined
    const done = this.runPrompt(blocks, controller.signal)
    this.active = { controller, done }
    try {
      return await done
    } finally {
      this.active = undefined
    }
  }

  cancel(): void {
    this.active?.controller.abort(new Error('cancelled by the user'))
  }

  /** Switches the model for the next turns. Throws ModelSpecError for a spec that cannot be parsed. */
  setModel(spec: string): void {
    parseModelSpec(spec, this.deps.env)
    if (spec === this.record.model) return
    this.record = { ...this.record, model: spec }
    if (!this.modelsHad.includes(spec)) this.modelsHad.push(spec)
    this.persist(() => this.deps.store.updateSession(this.id, { model: spec }))
    this.emit({ type: 'session.model', model: spec })
  }

  setToolMode(toolMode: string): void {
    if (!isToolMode(toolMode)) throw new InvalidModeError(toolMode, TOOL_MODES)
    if (toolMode === this.record.toolMode) return
    this.record = { ...this.record, toolMode }
    this.persist(() => this.deps.store.updateSession(this.id, { toolMode }))
    this.emit({ type: 'session.toolMode', toolMode })
  }

  setMode(mode: string): void {
    if (!isPermissionMode(mode)) throw new InvalidModeError(mode)
    if (mode === this.record.mode) return
    this.record = { ...this.record, mode }
    this.persist(() => this.deps.store.updateSession(this.id, { mode }))
    this.emit({ type: 'session.mode', mode })
  }

  /** The client now driving this session: its workspace, tools and permission dialogs take over. */
  attach(surface: SessionSurface): void {
    if (surface === this.surface) return
    const previous = this.surface
    this.surface = surface
    if (previous.workspace !== surface.workspace) void previous.workspace.dispose().catch(() => undefined)
    void previous.dispose?.().catch(() => undefined)
  }

  /**
   * Answers a pending permission request from a client other than the attached one (the dashboard). The first
   * answer wins: false when the request was already answered, or is not pending.
   */
  answerPermission(toolCallId: string, outcome: PermissionOutcome): boolean {
    return this.permissions.answer(toolCallId, outcome)
  }

  /** Which kind of client drives the session now. */
  get client(): SessionSurface['client'] {
    return this.surface.client
  }

  /** Why the last turn failed (the model was unreachable, say); undefined when it did not. */
  get lastFailure(): string | undefined {
    return this.failure
  }

  /** Whether `surface` is the one attached now (no other client has taken the session over since). */
  isAttachedTo(surface: SessionSurface): boolean {
    return this.surface === surface
  }

  async close(): Promise<void> {
    this.closed = true
    const running = this.active?.done
    this.cancel()
    await running?.catch(() => undefined)
    this.listeners.clear()
    this.sandbox?.dispose()
    // Tool state kept for the session (language servers, linters) goes with it.
    await disposeAll(this.memos.values())
    this.memos.clear()
    await this.deps.project.release()
    await this.surface.workspace.dispose().catch(() => undefined)
    await this.surface.dispose?.().catch(() => undefined)
  }

  private async runPrompt(blocks: PromptBlock[], signal: AbortSignal): Promise<StopReason> {
    const turnId = this.newId('turn')
    this.turnId = turnId
    const started = performance.now()
    this.emit({ type: 'turn.start', turnId, prompt: blocks })
    for (const notice of this.notices.splice(0))
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text: `⚠ ${notice}\n\n` })
    await this.refreshKnowledge(turnId)
    this.nameFromFirstPrompt(blocks)

    let stopReason: StopReason = 'cancelled'
    // The turn's first write finds out whether another process has taken the session over.
    if (!this.takenOver)
      try {
        stopReason = await this.dispatch(blocks, turnId, signal)
      } catch (error) {
        stopReason = signal.aborted ? 'cancelled' : this.reportFailure(error, turnId)
      }
    this.emit({ type: 'turn.end', turnId, stopReason, durationMs: performance.now() - started })
    this.persist(() => this.deps.store.updateSession(this.id, { updatedAt: Date.now() }))
    return stopReason
  }

  /** A prompt is one of our own commands, a surface's command (an MCP prompt), or a turn of the model. */
  private async dispatch(blocks: PromptBlock[], turnId: string, signal: AbortSignal): Promise<StopReason> {
    const text = blocks.every((b) => b.type === 'text') ? promptPlainText(blocks) : undefined
    const own = text === undefined ? undefined : parseSlashCommand(text)
    if (own?.name === 'compact') return this.compactNow(turnId, signal)
    if (own) return this.runCommand(own, turnId)
    // The surface's tools and commands (MCP servers still starting) count from here on.
    const notes = await this.surfaceNotes(turnId, signal)
    if (signal.aborted) return 'cancelled'
    const extra = text === undefined ? undefined : this.surfaceCommand(text)
    return extra
      ? this.runSurfaceCommand(extra, turnId, signal, notes)
      : this.runModelTurn(blocks, turnId, signal, notes)
  }

  /** What the surface has to say (an MCP server that failed or stopped), told to the user now. */
  private async surfaceNotes(turnId: string, signal: AbortSignal): Promise<string[]> {
    // Only a surface with something to say waits here; an IDE catalog alone is waited for with the model, as before.
    if (!this.surface.takeNotices && !this.surface.commands) return []
    // A cancel ends the wait for servers still starting at once.
    await Promise.race([this.surface.ready, aborted(signal)])
    const notes = this.surface.takeNotices?.() ?? []
    for (const note of notes)
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text: `⚠ ${note}\n\n` })
    return notes
  }

  private surfaceCommand(text: string): ParsedCommand | undefined {
    const extra = this.surface.commands?.list() ?? []
    const parsed = extra.length ? parseSlashCommand(text, extra) : undefined
    return parsed && !SLASH_COMMANDS.some((c) => c.name === parsed.name) ? parsed : undefined
  }

  /** An MCP prompt: expanded by its server into the text the model is sent as this turn's prompt. */
  private async runSurfaceCommand(
    command: ParsedCommand,
    turnId: string,
    signal: AbortSignal,
    notes: string[],
  ): Promise<StopReason> {
    let text: string
    try {
      text = (await this.surface.commands?.expand(command.name, command.args, signal)) ?? ''
    } catch (error) {
      if (signal.aborted) return 'cancelled'
      const message = error instanceof Error ? error.message : String(error)
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text: `⚠ ${message}` })
      return 'end_turn'
    }
    return this.runModelTurn([{ type: 'text', text }], turnId, signal, notes)
  }

  private async runModelTurn(
    blocks: PromptBlock[],
    turnId: string,
    signal: AbortSignal,
    notes: readonly string[] = [],
  ): Promise<StopReason> {
    // The model is told too, so that it does not call a server's tools as if nothing had happened.
    const told = notes.map((n) => `[Punie: ${n}]\n`).join('')
    const images = acceptsImages(this.record.model, this.deps.config.imageModels)
    const parts = images ? promptImages(blocks) : []
    this.commit({
      role: 'user',
      content: `${told}${told ? '\n' : ''}${promptToModelText(blocks, { model: this.record.model, images })}`,
      ...(parts.length ? { images: parts } : {}),
    })
    const model = await this.deps.models.get(this.record.model)
    await this.surface.ready
    if (signal.aborted) return 'cancelled'
    const { workspace } = this.surface
    const mode = this.record.mode
    const turnTools = this.toolsForTurn()
    return runTurn({
      context: this.context,
      sessionId: this.id,
      turnId,
      model,
      registry: turnTools.registry,
      toolSchemas: turnTools.schemas,
      toolFormat: this.deps.config.toolFormat,
      ...(this.deps.config.toolFormat === 'text' && turnTools.code ? { textCodeTool: EXECUTE_CODE } : {}),
      workspace,
      permissions: {
        mode,
        grants: { allowed: this.allowed, rejected: this.rejected },
        remember: (key, allowed) => this.remember(key, allowed),
        ask: (request, askSignal) =>
          this.permissions.ask(request, askSignal, (r, s) => this.surface.askPermission(r, s)),
        cancelTurn: () => this.cancel(),
      },
      config: this.deps.config,
      systemPrompt: this.systemPromptFor(turnTools),
      signal,
      history: () => this.history,
      commit: (message) => this.commit(message),
      emit: (body) => this.emit(body),
      newId: (prefix) => this.newId(prefix),
      memo: <T>(key: string, make: () => T): T => {
        if (!this.memos.has(key)) this.memos.set(key, make())
        return this.memos.get(key) as T
      },
      requestLog: this.requestLog,
      project: this.deps.project,
      settings: this.deps.config.devtools,
      logger: this.deps.logger,
    })
  }

  private systemPromptFor(turnTools: ToolKit): string {
    return buildSystemPrompt({
      cwd: this.cwd,
      mode: this.record.mode,
      hasTools: turnTools.schemas.length > 0,
      ...(this.deps.config.toolFormat === 'text' ? { textTools: turnTools.schemas } : {}),
      ...(turnTools.code
        ? {
            code: {
              limits: this.deps.config.codeLimits,
              jsonToolsToo: this.record.toolMode === 'both',
            },
          }
        : {}),
      listing: turnTools.listing,
      ...(this.knowledge.now.instructions ? { instructions: this.knowledge.now.instructions } : {}),
      ...(this.knowledge.now.skillLines.length ? { skills: this.knowledge.now.skillLines } : {}),
    })
  }

  /** Reads what changed of the project's instructions and skills; the first time, tells the user what was loaded. */
  private async refreshKnowledge(turnId: string): Promise<void> {
    // refresh() reports its own failures as problems; this guards the turn against a bug in it.
    const knowledge = await this.knowledge.refresh().catch((error: unknown) => {
      this.deps.logger.error('session %s: project knowledge: %s', this.id, error)
      return this.knowledge.now
    })
    if (this.knowledgeTold) return
    this.knowledgeTold = true
    const status = knowledgeStatus(knowledge)
    if (status)
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text: `${status}\n\n` })
  }

  /** `/compact`: the same compaction a full window triggers, run now and further (all but the latest turn). */
  private async compactNow(turnId: string, signal: AbortSignal): Promise<StopReason> {
    const say = (text: string) =>
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text })
    if (!this.history.some((m) => m.role === 'user')) {
      say('Nothing to compact yet.')
      return 'end_turn'
    }
    const model = await this.deps.models.get(this.record.model)
    await this.surface.ready
    const turnTools = this.toolsForTurn()
    const before = this.context.view
    const prepared = await this.context.prepare({
      model,
      systemPrompt: this.systemPromptFor(turnTools),
      tools: this.deps.config.toolFormat === 'text' ? [] : turnTools.schemas,
      history: this.history,
      signal,
      turnId,
      request: 0,
      emit: (body) => this.emit(body),
      newId: (prefix) => this.newId(prefix),
      manual: true,
    })
    say(
      this.context.view === before
        ? `Nothing to compact: the model already sees only what it needs (about ${prepared.tokens} of ${prepared.facts.budget} tokens).`
        : `Context compacted: the next request carries about ${prepared.tokens} of ${prepared.facts.budget} tokens. The transcript is kept whole.`,
    )
    return 'end_turn'
  }

  /** This turn's tools (see tool-kit.ts); rebuilt only when the tools, the mode or the tool mode change. */
  private toolsForTurn(): ToolKit {
    const place = { cwd: this.cwd, root: this.project }
    const own = this.surface.tools.list().filter((t) => t.present?.(place) ?? true)
    // A tool the surface already has by that name (an IDE's own) stays; the knowledge tool gives way.
    const all = [...own, ...this.knowledge.now.tools.filter((t) => !own.some((o) => o.name === t.name))]
    const mode = this.record.mode
    const allowed = all.filter((t) => mode !== 'read-only' || !changesWorkspace(t))
    const toolMode = this.record.toolMode
    if (this.kitCache && kitFits(this.kitCache, all, allowed, toolMode)) return this.kitCache
    this.kitCache = buildToolKit({
      all,
      allowed,
      toolMode,
      sandbox: () => {
        this.sandbox ??= new CodeSandbox()
        return this.sandbox
      },
      stubs: this.deps.stubs,
      limits: this.deps.config.codeLimits,
    })
    return this.kitCache
  }

  private runCommand(command: ParsedCommand, turnId: string): StopReason {
    const say = (text: string) =>
      this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text })
    switch (command.name) {
      case 'help':
        say(helpText(this.record.model, this.record.mode, this.surface.commands?.list()))
        break
      case 'skills':
        say(skillsReport(this.knowledge.now))
        break
      case 'context': {
        const turnTools = this.toolsForTurn()
        const systemPrompt = this.systemPromptFor(turnTools)
        say(
          contextReport({
            systemPrompt,
            tools: this.deps.config.toolFormat === 'text' ? [] : turnTools.schemas,
            history: this.history,
            state: this.context.view,
            knowledge: knowledgeContextLines(this.knowledge.now),
          }),
        )
        break
      }
      case 'clear':
        this.history = []
        this.context.reset()
        this.persist(() => this.deps.store.clearMessages(this.id))
        this.emit({ type: 'session.cleared' })
        say('Conversation cleared: the next prompt starts fresh.')
        break
      case 'mode':
        if (!command.args) {
          say(`Current mode: \`${this.record.mode}\`. Switch with /mode <${PERMISSION_MODES.join(' | ')}>`)
          break
        }
        try {
          this.setMode(command.args)
          say(`Mode switched to \`${command.args}\`.`)
        } catch (error) {
          say((error as Error).message)
        }
        break
      case 'model':
        if (!command.args) {
          say(
            `Current model: \`${this.record.model}\`. Switch with /model <spec>, e.g. /model ollama:qwen2.5-coder:7b`,
          )
          break
        }
        try {
          this.setModel(command.args)
          say(`Model switched to \`${command.args}\`.`)
        } catch (error) {
          say(error instanceof ModelSpecError ? error.message : String(error))
        }
        break
    }
    return 'end_turn'
  }

  /** Expected failures become a message in the conversation; the session stays usable. */
  private reportFailure(error: unknown, turnId: string): StopReason {
    let text: string
    if (error instanceof ModelError) {
      if (error.kind === 'unreachable') this.deps.models.invalidate(this.record.model)
      text = error.message
    } else if (error instanceof ModelSpecError) {
      text = `${error.message}. Switch with /model <spec> or start Punie with --model.`
    } else {
      this.deps.logger.error(
        'turn failed: %s',
        error instanceof Error ? (error.stack ?? error.message) : error,
      )
      text = `Internal error: ${error instanceof Error ? error.message : String(error)}. The session is still usable.`
    }
    this.deps.logger.warn('turn %s failed: %s', turnId, text)
    this.failure = text
    this.emit({ type: 'message.delta', turnId, messageId: this.newId('msg'), text: `⚠ ${text}` })
    return 'end_turn'
  }

  private remember(key: string, allowed: boolean) {
    ;(allowed ? this.allowed : this.rejected).add(key)
    ;(allowed ? this.rejected : this.allowed).delete(key)
    this.persist(() => this.deps.store.saveGrant(this.id, key, allowed))
  }

  private nameFromFirstPrompt(blocks: PromptBlock[]) {
    if (this.record.title) return
    const title = titleFromPrompt(promptPlainText(blocks))
    if (!title) return
    this.record = { ...this.record, title }
    this.persist(() => this.deps.store.updateSession(this.id, { title }))
    this.emit({ type: 'session.title', title })
  }

  private commit(message: ChatMessage) {
    this.history.push(message)
    this.persist(() => this.deps.store.appendMessage(this.id, message))
  }

  private emit(body: AgentEventBody) {
    const draft = { ...body, sessionId: this.id, seq: this.seq + 1, at: Date.now() } as AgentEvent
    // The store numbers the event (another process may have written the session); unsaved, it keeps ours.
    const seq = this.persist(() => this.deps.store.appendEvent(draft)) ?? draft.seq
    this.seq = seq
    const event = { ...draft, seq }
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.deps.logger.error('event listener failed: %s', error)
      }
    }
  }

  /**
   * A store failure (disk full, locked database, the session taken over by another process) must not break
   * the turn, nor pass unseen: it is logged, and the user is told once in the conversation. A takeover also
   * ends the running turn, whose work could no longer be saved.
   */
  private persist<T>(write: () => T): T | undefined {
    try {
      const result = write()
      this.unsaved = undefined
      return result
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.deps.logger.error('session %s: could not save: %s', this.id, message)
      if (this.unsaved === message) return undefined
      this.unsaved = message
      if (error instanceof SessionTakenOverError) {
        this.takenOver = error
        this.cancel()
      }
      this.emit({
        type: 'message.delta',
        turnId: this.turnId ?? 'store',
        messageId: this.newId('msg'),
        text: `⚠ Not saved: ${message}`,
      })
      return undefined
    }
  }

  private newId(prefix: string) {
    return `${prefix}_${Date.now().toString(36)}${(this.idCounter++).toString(36)}`
  }
}

/** Settles when `signal` aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}
