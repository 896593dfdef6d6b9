// Projects: a session belongs to the git repository enclosing its cwd (or to the cwd itself), and the sessions
// of one project share what is costly to start, such as language servers, which stay warm a while after the
// last session closes so that the next one (another `ask`, a reconnecting IDE) does not start them again.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { DEFAULT_DEVTOOL_SETTINGS } from '../devtools/settings.js'
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
  /** Set while no session holds the project: when it fires, the project's values are disposed. */
  idle?: NodeJS.Timeout
}

/** How long a project's shared values outlive its last session by default. */
export const DEFAULT_PROJECT_IDLE_MS = DEFAULT_DEVTOOL_SETTINGS.idleTimeoutMs

/** Shared values per project, disposed once the project has had no session for `idleMs`. */
export class ProjectPool {
  private readonly open = new Map<string, OpenProject>()
  private readonly idleMs: number

  constructor(options: { idleMs?: number } = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_PROJECT_IDLE_MS
  }

  acquire(root: string): ProjectHandle {
    let project = this.open.get(root)
    if (!project) {
      project = { users: 0, memos: new Map() }
      this.open.set(root, project)
    }
    clearTimeout(project.idle)
    project.idle = undefined
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
        if (this.idleMs <= 0) return this.drop(root, held)
        // Unref'd: a warm language server must not keep a finished `punie ask` or test process alive.
        held.idle = setTimeout(() => void this.drop(root, held), this.idleMs)
        held.idle.unref()
      },
    }
  }

  /** Roots with at least one open session, and how many. */
  active(): { root: string; openSessions: number }[] {
    return [...this.open].filter(([, p]) => p.users > 0).map(([root, p]) => ({ root, openSessions: p.users }))
  }

  /** Disposes every project's values now, held or warm: the agent is shutting down. */
  async dispose(): Promise<void> {
    const all = [...this.open]
    this.open.clear()
    await Promise.all(all.map(([, project]) => this.drop(undefined, project)))
  }

  private async drop(root: string | undefined, project: OpenProject): Promise<void> {
    clearTimeout(project.idle)
    if (root !== undefined && this.open.get(root) === project) this.open.delete(root)
    const values = [...project.memos.values()]
    project.memos.clear()
    await disposeAll(values)
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
