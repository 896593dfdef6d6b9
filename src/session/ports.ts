// What the session core needs from the outside, as interfaces; the store and model layers implement them.
import type { ChatMessage, ChatModel } from '../model/types.js'
import type { AgentEvent } from './events.js'

export interface SessionRecord {
  id: string
  cwd: string
  additionalDirectories: string[]
  title?: string
  model: string
  createdAt: number
  updatedAt: number
}

export interface SessionPage {
  sessions: SessionRecord[]
  nextCursor?: string
}

export interface SessionStore {
  createSession(record: SessionRecord): void
  updateSession(id: string, fields: Partial<Pick<SessionRecord, 'title' | 'model' | 'updatedAt'>>): void
  getSession(id: string): SessionRecord | undefined
  listSessions(query: { cwd?: string; cursor?: string; limit?: number }): SessionPage
  appendEvent(event: AgentEvent): void
  events(sessionId: string): AgentEvent[]
  lastSeq(sessionId: string): number
  appendMessage(sessionId: string, message: ChatMessage): void
  messages(sessionId: string): ChatMessage[]
  clearMessages(sessionId: string): void
}

export interface ModelSource {
  get(spec: string): Promise<ChatModel>
  /** Forget a cached resolution, e.g. after its server stopped answering. */
  invalidate(spec: string): void
}
