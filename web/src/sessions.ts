// The overview's order of sessions. Pure.
import type { SessionSummary } from '../../src/server/dashboard/api.js'

export interface ProjectGroup {
  project: string
  sessions: SessionSummary[]
}

/** Projects by their latest activity; in each, sessions waiting for permission first, then the newest. */
export function groupSessions(sessions: readonly SessionSummary[]): ProjectGroup[] {
  const groups = new Map<string, SessionSummary[]>()
  for (const s of [...sessions].sort((a, b) => b.updatedAt - a.updatedAt)) {
    const list = groups.get(s.project)
    if (list) list.push(s)
    else groups.set(s.project, [s])
  }
  for (const list of groups.values())
    list.sort(
      (a, b) =>
        Number(b.activity.state === 'permission') - Number(a.activity.state === 'permission') ||
        b.updatedAt - a.updatedAt,
    )
  return [...groups].map(([project, list]) => ({ project, sessions: list }))
}
