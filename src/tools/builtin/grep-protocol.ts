// Messages between grep and the worker thread that runs its regular expression.
export interface GrepBatchRequest {
  id: number
  pattern: string
  flags: string
  /** The texts of a batch of files: one message for many small files keeps the thread's cost low. */
  texts: string[]
  /** Matching lines wanted at most from the whole batch. */
  limit: number
  /** Longer matching lines are cut to this many characters. */
  maxLine: number
}

/**
 * Sent as the search goes, so that a search stopped in the middle keeps what it found and knows where it
 * was: `file` before each text, `match` per matching line, then one `done`.
 */
export type GrepWorkerReply =
  | { id: number; type: 'file'; index: number }
  | { id: number; type: 'match'; index: number; line: number; text: string }
  | { id: number; type: 'done' }
  | { id: number; type: 'error'; message: string }
