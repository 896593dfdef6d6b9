// What the dashboard's routes send and take: one definition for the server and the page (web/), types only.
import type { PerfFigures } from '../../perf/figures.js'
import type { AgentEvent } from '../../session/events.js'
import type { PermissionMode, PermissionOutcome } from '../../tools/permission.js'
import type { ToolMode } from '../../tools/tool-mode.js'

/** What a session is doing now, read from its events. */
export type ActivityState = 'idle' | 'thinking' | 'tool' | 'permission' | 'closed'

export interface PendingPermission {
  toolCallId: string
  title: string
  /** What an "always" answer would cover. */
  scope: string
  at: number
  /** Set where "always" is not offered: an "always" answer counts as once. */
  allowAlways?: false
}

export interface SessionActivity {
  state: ActivityState
  /** The tool running now, for `tool`. */
  tool?: string
  /** The request waiting for an answer, for `permission`. */
  permission?: PendingPermission
  /** When the session entered this state. */
  since: number
}

/** Which client drives the session now. */
export type ClientKind = 'acp' | 'browser' | 'none'

export interface SessionSummary {
  id: string
  title: string | null
  cwd: string
  project: string
  model: string
  mode: PermissionMode
  toolMode: ToolMode
  createdAt: number
  updatedAt: number
  /** Open in this server (a client attached, or a turn running). */
  open: boolean
  running: boolean
  client: ClientKind
  activity: SessionActivity
  turns: number
  promptTokens: number
  completionTokens: number
  /** Time spent in turns so far, the running one included. */
  busyMs: number
  /** Why the last turn failed (the model was unreachable, say), until the next one starts. */
  failure?: string
}

/** GET /api/overview */
export interface Overview {
  version: string
  /** Models a new session may start with (besides the project's default). */
  models: readonly string[]
  sessions: SessionSummary[]
  /** Sessions beyond the `limit` most recent ones that were left out. */
  more: boolean
}

/** SSE /api/activity: `event: session`, data SessionSummary, each time a session's summary changes. */
export type ActivityMessage = SessionSummary

/** GET /api/sessions/:id */
export interface SessionDetail {
  session: SessionSummary
  events: AgentEvent[]
  /** What the session may be switched to. */
  modes: readonly PermissionMode[]
  models: readonly string[]
}

/** POST /api/sessions */
export interface NewSessionRequest {
  cwd: string
  model?: string
  mode?: PermissionMode
  /** Sent as the first prompt once the session exists. */
  prompt?: string
}

/** POST /api/sessions/:id/prompt — answered 202 once the turn started; its events stream on /events. */
export interface PromptRequest {
  text: string
}

/** POST /api/sessions/:id/permissions/:toolCallId — 409 when another client answered first. */
export interface PermissionAnswer {
  outcome: Exclude<PermissionOutcome, 'cancelled'>
}

/** POST /api/sessions/:id/mode and /model */
export interface ModeChange {
  mode: PermissionMode
}
export interface ModelChange {
  model: string
}

/** GET /api/perf?session=ID (all sessions without it) */
export interface PerfPanel {
  scope: string
  figures: PerfFigures
  /** The standalone HTML report of the same scope. */
  reportUrl: string
}

/** GET /api/review */
export interface ReviewList {
  /** False when no project opted in (`punie flywheel enable`). */
  enabled: boolean
  examples: ReviewItem[]
}

export interface ReviewItem {
  id: string
  project: string
  sessionId: string
  at: number
  outcome: string
  labels: string[]
  /** The prompt, and a line per tool call and for the answer. */
  lines: string[]
  decision: 'accepted' | 'rejected' | null
}

/** POST /api/review/:id */
export interface ReviewDecision {
  decision: 'accepted' | 'rejected'
}

/** Every error: a status code and this body. */
export interface ApiError {
  error: string
}
