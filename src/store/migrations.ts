// Schema migrations, applied in order; PRAGMA user_version records how many have run.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    cwd TEXT NOT NULL,
    additional_dirs TEXT NOT NULL DEFAULT '[]',
    title TEXT,
    model TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_update ON sessions (updated_at DESC, id DESC);
  CREATE INDEX sessions_by_cwd ON sessions (cwd, updated_at DESC, id DESC);
  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE messages (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    role TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (session_id, idx)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'ask';
  CREATE TABLE grants (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    PRIMARY KEY (session_id, key)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE sessions ADD COLUMN tool_mode TEXT NOT NULL DEFAULT 'both';
  `,
  `
  ALTER TABLE sessions ADD COLUMN project TEXT;
  UPDATE sessions SET project = cwd;
  CREATE INDEX sessions_by_project ON sessions (project, updated_at DESC, id DESC);
  CREATE TABLE resume_tokens (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE eval_runs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    config TEXT NOT NULL
  );
  CREATE TABLE eval_results (
    run_id TEXT NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    case_key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, case_key, attempt)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE session_writers (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE train_runs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL
  );
  `,
]
