// Evaluation runs and their per-attempt results, in the same SQLite schema as sessions.
import { openDatabase } from './sqlite-store.js'

export type RunStatus = 'running' | 'done' | 'interrupted'

export interface EvalRunRecord<Config> {
  id: string
  createdAt: number
  finishedAt?: number
  status: RunStatus
  model: string
  config: Config
}

interface RunRow {
  id: string
  created_at: number
  finished_at: number | null
  status: string
  model: string
  config: string
}

export class EvalStore<Config, Result> {
  private readonly db

  constructor(path: string) {
    this.db = openDatabase(path)
  }

  close(): void {
    this.db.close()
  }

  createRun(run: EvalRunRecord<Config>): void {
    this.db
      .prepare(
        'INSERT INTO eval_runs (id, created_at, finished_at, status, model, config) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(run.id, run.createdAt, run.finishedAt ?? null, run.status, run.model, JSON.stringify(run.config))
  }

  setStatus(id: string, status: RunStatus, finishedAt?: number): void {
    this.db
      .prepare('UPDATE eval_runs SET status = ?, finished_at = ? WHERE id = ?')
      .run(status, finishedAt ?? null, id)
  }

  getRun(id: string): EvalRunRecord<Config> | undefined {
    const row = this.db.prepare<[string], RunRow>('SELECT * FROM eval_runs WHERE id = ?').get(id)
    return row ? toRun<Config>(row) : undefined
  }

  listRuns(limit = 50): EvalRunRecord<Config>[] {
    return this.db
      .prepare<[number], RunRow>('SELECT * FROM eval_runs ORDER BY created_at DESC LIMIT ?')
      .all(limit)
      .map((row) => toRun<Config>(row))
  }

  saveResult(runId: string, caseKey: string, attempt: number, result: Result): void {
    this.db
      .prepare(
        `INSERT INTO eval_results (run_id, case_key, attempt, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id, case_key, attempt) DO UPDATE SET body = excluded.body`,
      )
      .run(runId, caseKey, attempt, JSON.stringify(result))
  }

  results(runId: string): Result[] {
    return this.db
      .prepare<[string], { body: string }>(
        'SELECT body FROM eval_results WHERE run_id = ? ORDER BY case_key, attempt',
      )
      .all(runId)
      .map((row) => JSON.parse(row.body) as Result)
  }

  /** "caseKey#attempt" of every stored result, to skip them when a run resumes. */
  done(runId: string): Set<string> {
    const rows = this.db
      .prepare<[string], { case_key: string; attempt: number }>(
        'SELECT case_key, attempt FROM eval_results WHERE run_id = ?',
      )
      .all(runId)
    return new Set(rows.map((r) => `${r.case_key}#${r.attempt}`))
  }
}

function toRun<Config>(row: RunRow): EvalRunRecord<Config> {
  return {
    id: row.id,
    createdAt: row.created_at,
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    status: row.status as RunStatus,
    model: row.model,
    config: JSON.parse(row.config) as Config,
  }
}
