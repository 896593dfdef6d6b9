// What a reviewer decided about each example, kept in a small file beside the session store
// (flywheel-review.json), so that the flywheel never writes to the store the agent writes.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writePrivateFile } from '../config/private-file.js'
import { FlywheelStoreError } from './session-reader.js'

export type Decision = 'accepted' | 'rejected'

export class Decisions {
  private constructor(
    readonly path: string,
    private readonly byId: Map<string, Decision>,
  ) {}

  /** The decisions kept beside the store at `database`; none when the file does not exist. */
  static load(database: string): Decisions {
    const path = join(dirname(database), 'flywheel-review.json')
    const byId = new Map<string, Decision>()
    let text: string | undefined
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (text !== undefined) {
      let json: { decisions?: Record<string, unknown> }
      try {
        json = JSON.parse(text) as typeof json
      } catch (error) {
        throw new FlywheelStoreError(
          `${path} is not valid JSON (${(error as Error).message}): fix or delete it`,
        )
      }
      for (const [id, d] of Object.entries(json.decisions ?? {}))
        if (d === 'accepted' || d === 'rejected') byId.set(id, d)
    }
    return new Decisions(path, byId)
  }

  get(id: string): Decision | undefined {
    return this.byId.get(id)
  }

  set(id: string, decision: Decision): void {
    this.byId.set(id, decision)
  }

  get size(): number {
    return this.byId.size
  }

  save(): void {
    const decisions = Object.fromEntries([...this.byId].sort(([a], [b]) => a.localeCompare(b)))
    writePrivateFile(this.path, `${JSON.stringify({ version: 1, decisions }, null, 2)}\n`)
  }
}
