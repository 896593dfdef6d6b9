// Messages between grep and the worker thread that runs its regular expression.
export interface GrepFileRequest {
  id: number
  pattern: string
  flags: string
  text: string
  /** Matching lines wanted at most from this file. */
  limit: number
  /** Longer matching lines are cut to this many characters. */
  maxLine: number
}

/** One message per matching line as it is found (so a stopped search keeps them), then one `done`. */
export type GrepWorkerReply =
  | { id: number; type: 'match'; line: number; text: string }
  | { id: number; type: 'done' }
  | { id: number; type: 'error'; message: string }
