// What the session core needs from the outside, as interfaces; the store and model layers implement them.
import type { ChatMessage } from '../model/types.js'
import type { ToolContent, ToolKind, ToolLocation } from '../tools/define.js'
import type { PermissionMode, PermissionOutcome } from '../tools/permission.js'
import type { ToolRegistry } from '../tools/registry.js'
import type { ToolMode } from '../tools/tool-mode.js'
import type { Workspace } from '../workspace/workspace.js'
import type { SlashCommand } from './commands.js'
import type { AgentEvent } from './events.js'

export interface SessionRecord {
  id: string
  cwd: string
  /** The project the session belongs to: the git root enclosing cwd, or cwd. Its workspace boundary. */
  project: string
  additionalDirectories: string[]
  title?: string
  model: string
  mode: PermissionMode
  toolMode: ToolMode
  createdAt: number
  updatedAt: number
}

export interface SessionPage {
  sessions: SessionRecord[]
  nextCursor?: string
}

export interface SessionQuery {
  cwd?: string
  project?: string
  cursor?: string
  limit?: number
}

export interface ProjectSummary {
  root: string
  sessions: number
  updatedAt: number
}

/** Another process opened the session after this one: it writes the session now, this one may not. */
export class SessionTakenOverError extends Error {
  override name = 'SessionTakenOverError'
  constructor(
    readonly sessionId: string,
    readonly pid: number,
  ) {
    super(
      `session ${sessionId} was opened by another Punie process (pid ${pid}), which writes it now; ` +
        'nothing more from this process is saved to it: load the session again here to continue here',
    )
  }
}

export interface SessionStore {
  createSession(record: SessionRecord): void
  updateSession(
    id: string,
    fields: Partial<Pick<SessionRecord, 'title' | 'model' | 'mode' | 'toolMode' | 'updatedAt'>>,
  ): void
  getSession(id: string): SessionRecord | undefined
  listSessions(query: SessionQuery): SessionPage
  /** Projects that have sessions, most recently used first. */
  listProjects(): ProjectSummary[]
  /**
   * Makes this process the one that writes the session (taking it over from another that had it open), and
   * returns the pid it was taken from, if any. Writes from a process that has lost its claim throw.
   */
  claim(sessionId: string): number | undefined
  /** Stores the event and returns the sequence number the store gave it (the next of its session). */
  appendEvent(event: AgentEvent): number
  events(sessionId: string): AgentEvent[]
  lastSeq(sessionId: string): number
  appendMessage(sessionId: string, message: ChatMessage): void
  messages(sessionId: string): ChatMessage[]
  clearMessages(sessionId: string): void
  /** The latest `context.compacted` or `session.cleared` event: where the model's view of the history stands. */
  lastContextEvent(sessionId: string): AgentEvent | undefined
  /** "Always" answers to permission requests, by grant key. */
  grants(sessionId: string): { allowed: string[]; rejected: string[] }
  saveGrant(sessionId: string, key: string, allowed: boolean): void
}

export interface PermissionRequest {
  toolCallId: string
  toolName: string
  title: string
  kind: ToolKind
  input: unknown
  locations: ToolLocation[]
  content: ToolContent[]
  /** False where "always allow" would not be remembered (a sensitive write, a compound command): not offered. */
  allowAlways?: boolean
}

/** What the client attached to a session provides: where tools run, which tools exist, who answers questions. */
export interface SessionSurface {
  /** Who this is, for views of every session: an ACP client, the dashboard; none for a session nobody drives. */
  client?: 'acp' | 'browser'
  workspace: Workspace
  tools: ToolRegistry
  /** Settles once the tool set is known (the IDE's catalog may still be on its way). */
  ready?: Promise<void>
  askPermission(request: PermissionRequest, signal: AbortSignal): Promise<PermissionOutcome>
  /** Said to the user and the model at the start of the next turn: an MCP server that failed or stopped. */
  takeNotices?(): string[]
  /** Slash commands the surface adds (MCP prompts). */
  commands?: SurfaceCommands
  /** Releases what the surface started for the session (its MCP servers). */
  dispose?(): Promise<void>
}

/** Slash commands beside the session's own: each expands into the text the model is sent. */
export interface SurfaceCommands {
  list(): readonly SlashCommand[]
  /** Throws with a message for the user when the command cannot be expanded (a missing argument). */
  expand(name: string, args: string, signal: AbortSignal): Promise<string>
  /** Told when the list changes; returns how to stop listening. */
  subscribe?(listener: () => void): () => void
}
