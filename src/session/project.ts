// Projects: a session belongs to the git repository enclosing its cwd (or to the cwd itself), and the sessions
// of one project share what is costly to start, such as language servers.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { ProjectScope } from '../tools/define.js'

/** The nearest directory at or above `cwd` holding `.git`; `cwd` itself when there is none. */
export function projectRootOf(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir
    if (dirname(dir) === dir) return cwd
  }
}

/** A session's hold on its project's shared values; released when the session closes. */
export interface ProjectHandle extends ProjectScope {
  release(): Promise<void>
}

interface OpenProject {
  users: number
  memos: Map<string, unknown>
}

/** Shared values per project, disposed when the project's last session closes. */
export class ProjectPool {
  private readonly open = new Map<string, OpenProject>()

  acquire(root: string): ProjectHandle {
    let project = this.open.get(root)
    if (!project) {
      project = { users: 0, memos: new Map() }
      this.open.set(root, project)
    }
    project.users++
    const held = project
    let released = false
    return {
      root,
      memo: <T>(key: string, make: () => T): T => {
        if (!held.memos.has(key)) held.memos.set(key, make())
        return held.memos.get(key) as T
      },
      release: async () => {
        if (released) return
        released = true
        if (--held.users > 0) return
        this.open.delete(root)
        await disposeAll(held.memos.values())
      },
    }
  }

  /** Roots with at least one open session, and how many. */
  active(): { root: string; openSessions: number }[] {
    return [...this.open].map(([root, p]) => ({ root, openSessions: p.users }))
  }
}

/** Disposes values that know how (`dispose()`), ignoring failures: used when their owner goes away. */
export async function disposeAll(values: Iterable<unknown>): Promise<void> {
  await Promise.all(
    [...values].map(async (value) => {
      try {
        await (value as { dispose?: () => unknown }).dispose?.()
      } catch {
        // a value that fails to dispose must not keep the others alive
      }
    }),
  )
}

/** Directories a session's workspace may reach besides its cwd: those it was given, and its project. */
export function boundaryDirectories(record: {
  cwd: string
  project: string
  additionalDirectories: readonly string[]
}): string[] {
  const extra = [...record.additionalDirectories]
  if (record.project !== record.cwd && !extra.includes(record.project)) extra.push(record.project)
  return extra
}
