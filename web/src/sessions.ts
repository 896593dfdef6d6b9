// The overview's order of sessions. Pure.
import type { SessionSummary } from '../../src/server/dashboard/api.js'

export interface ProjectGroup {
  project: string
  sessions: SessionSummary[]
}

const waiting = (s: SessionSummary) => Number(s.activity.state === 'permission')

/**
 * Projects with a session waiting for permission first, then by their latest activity; in each, the sessions
 * waiting first, then the newest.
 */
export function groupSessions(sessions: readonly SessionSummary[]): ProjectGroup[] {
  const groups = new Map<string, SessionSummary[]>()
  for (const s of [...sessions].sort((a, b) => b.updatedAt - a.updatedAt)) {
    const list = groups.get(s.project)
    if (list) list.push(s)
    else groups.set(s.project, [s])
  }
  for (const list of groups.values())
    list.sort((a, b) => waiting(b) - waiting(a) || b.updatedAt - a.updatedAt)
  // Sorting is stable: among projects alike in waiting, the newest stays first.
  return [...groups]
    .map(([project, list]) => ({ project, sessions: list }))
    .sort((a, b) => waiting(b.sessions[0] as SessionSummary) - waiting(a.sessions[0] as SessionSummary))
}
