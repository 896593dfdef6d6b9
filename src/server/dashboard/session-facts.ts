// What a session's events say about it at a glance: what it is doing, its turns, tokens and time. Pure: a fold
// over the event stream, stored or live, so a reloaded server and a running one tell the same.
import type { AgentEvent } from '../../session/events.js'
import type { PendingPermission, SessionActivity } from './api.js'

export interface SessionFacts {
  activity: SessionActivity
  turns: number
  promptTokens: number
  completionTokens: number
  /** Time of the finished turns. */
  finishedMs: number
  /** When the running turn started; undefined between turns. */
  turnStartedAt?: number
  /** Tools running now, by call id, in the order they started. */
  running: Map<string, string>
  permission?: PendingPermission
  /** Why the last turn failed (its model request did), until the next turn starts. */
  failure?: string
  /** The event the facts are up to, so that a stream replayed over a fold repeats nothing. */
  seq: number
}

export function emptyFacts(): SessionFacts {
  return {
    activity: { state: 'idle', since: 0 },
    turns: 0,
    promptTokens: 0,
    completionTokens: 0,
    finishedMs: 0,
    running: new Map(),
    seq: 0,
  }
}

/** Folds one event into the facts (in place); true when what a view shows changed. */
export function applyEvent(facts: SessionFacts, event: AgentEvent): boolean {
  if (event.seq <= facts.seq) return false
  facts.seq = event.seq
  switch (event.type) {
    case 'turn.start':
      facts.turnStartedAt = event.at
      facts.running.clear()
      facts.permission = undefined
      facts.failure = undefined
      return settle(facts, event.at) || true
    case 'model.start':
    case 'permission.response':
      if (event.type === 'permission.response') facts.permission = undefined
      return settle(facts, event.at)
    case 'tool.start':
      facts.running.set(event.toolCallId, event.name)
      return settle(facts, event.at)
    case 'tool.end':
      facts.running.delete(event.toolCallId)
      if (facts.permission?.toolCallId === event.toolCallId) facts.permission = undefined
      return settle(facts, event.at)
    case 'permission.request':
      facts.permission = {
        toolCallId: event.toolCallId,
        title: event.title,
        scope: event.scope,
        at: event.at,
        ...(event.allowAlways === false ? { allowAlways: false as const } : {}),
      }
      return settle(facts, event.at)
    case 'model.end':
      if (!event.ok && event.purpose === undefined) facts.failure = event.error ?? 'the model request failed'
      else if (event.ok && event.purpose === undefined) facts.failure = undefined
      if (event.usage) {
        facts.promptTokens += event.usage.promptTokens
        facts.completionTokens += event.usage.completionTokens
      }
      return event.usage !== undefined || !event.ok
    case 'turn.end':
      facts.turns++
      facts.finishedMs += event.durationMs
      facts.turnStartedAt = undefined
      facts.running.clear()
      facts.permission = undefined
      return settle(facts, event.at)
    case 'session.title':
    case 'session.model':
    case 'session.mode':
    case 'session.toolMode':
    case 'session.cleared':
      return true
    default:
      return false
  }
}

/** The state the facts put the session in; `since` moves only when the state (or its tool) changes. */
function settle(facts: SessionFacts, at: number): boolean {
  const next = activityOf(facts)
  const current = facts.activity
  if (
    next.state === current.state &&
    next.tool === current.tool &&
    next.permission?.toolCallId === current.permission?.toolCallId
  )
    return false
  facts.activity = { ...next, since: at }
  return true
}

function activityOf(facts: SessionFacts): Omit<SessionActivity, 'since'> {
  if (facts.turnStartedAt === undefined) return { state: 'idle' }
  if (facts.permission) return { state: 'permission', permission: facts.permission }
  const tools = [...facts.running.values()]
  const tool = tools[tools.length - 1]
  if (tool !== undefined) return { state: 'tool', tool }
  return { state: 'thinking' }
}

/** Time in turns up to `now`, the running turn included. */
export function busyMs(facts: SessionFacts, now: number): number {
  return facts.finishedMs + (facts.turnStartedAt === undefined ? 0 : Math.max(0, now - facts.turnStartedAt))
}
