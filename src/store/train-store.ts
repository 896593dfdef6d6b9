// Training runs (`punie train`), one row each in the eval database: the status to list them by and the whole
// record as JSON, rewritten as the run goes, so a killed run leaves its last state to resume from.
import { openDatabase } from './sqlite-store.js'

export interface TrainRunRow<Body> {
  id: string
  createdAt: number
  updatedAt: number
  status: string
  body: Body
}

interface Row {
  id: string
  created_at: number
  updated_at: number
  status: string
  body: string
}

export class TrainStore<Body> {
  private readonly db

  constructor(path: string) {
    this.db = openDatabase(path)
  }

  close(): void {
    this.db.close()
  }

  save(run: TrainRunRow<Body>): void {
    this.db
      .prepare(
        `INSERT INTO train_runs (id, created_at, updated_at, status, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, body = excluded.body`,
      )
      .run(run.id, run.createdAt, run.updatedAt, run.status, JSON.stringify(run.body))
  }

  get(id: string): TrainRunRow<Body> | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM train_runs WHERE id = ?').get(id)
    return row ? toRun<Body>(row) : undefined
  }

  list(limit = 50): TrainRunRow<Body>[] {
    return this.db
      .prepare<[number], Row>('SELECT * FROM train_runs ORDER BY created_at DESC, id DESC LIMIT ?')
      .all(limit)
      .map((row) => toRun<Body>(row))
  }
}

function toRun<Body>(row: Row): TrainRunRow<Body> {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status,
    body: JSON.parse(row.body) as Body,
  }
}
