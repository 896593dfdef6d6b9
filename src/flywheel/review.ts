// What a reviewer judges an example by, and the examples waiting for a decision: one definition for
// `punie flywheel review` and the dashboard's review page.
import type { Example } from '../dataset/example.js'
import { captureSessions } from './capture.js'
import { type Decision, Decisions } from './decisions.js'
import { capturedProjects, storeSpellings } from './opt-in.js'
import { SessionReader } from './session-reader.js'

/** The prompt, a line per tool call and result, and the answer, each cut to a readable length. */
export function exampleLines(example: Example): string[] {
  const cut = (s: string, n: number) => {
    const one = s.replace(/\s+/g, ' ').trim()
    return one.length > n ? `${one.slice(0, n - 1)}…` : one
  }
  const lines: string[] = []
  for (const msg of example.messages) {
    if (msg.role === 'user') lines.push(`user: ${cut(msg.content, 160)}`)
    if (msg.role === 'assistant') {
      for (const call of msg.tool_calls ?? [])
        lines.push(`call: ${call.function.name} ${cut(call.function.arguments, 120)}`)
      if (msg.content) lines.push(`assistant: ${cut(msg.content, 160)}`)
    }
    if (msg.role === 'tool') lines.push(`result: ${cut(msg.content, 100)}`)
  }
  return lines
}

export interface ReviewEntry {
  example: Example
  sessionId: string
  project: string
  decision: Decision | undefined
}

export interface ReviewPaths {
  database: string
  userConfig: string
  /** Replaced with `~` in every string. */
  home: string
}

/** The opted-in projects' examples (scrubbed), with what was decided about each; undefined when none opted in. */
export function reviewEntries(paths: ReviewPaths): ReviewEntry[] | undefined {
  const projects = capturedProjects(paths.userConfig)
  if (!projects.length) return undefined
  const decisions = Decisions.load(paths.database)
  const reader = SessionReader.open(paths.database)
  try {
    const entries: ReviewEntry[] = []
    for (const session of captureSessions(reader, { projects: storeSpellings(projects), home: paths.home }))
      for (const { example } of session.examples)
        entries.push({
          example,
          sessionId: session.sessionId,
          project: session.project,
          decision: decisions.get(example.metadata?.id ?? ''),
        })
    return entries
  } finally {
    reader.close()
  }
}

/** Records a decision; false when no example has that id. */
export function decide(paths: ReviewPaths, id: string, decision: Decision): boolean {
  if (!reviewEntries(paths)?.some((e) => e.example.metadata?.id === id)) return false
  const decisions = Decisions.load(paths.database)
  decisions.set(id, decision)
  decisions.save()
  return true
}
