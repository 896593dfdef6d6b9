// The one way tools touch files and processes. Implemented by the IDE over ACP and by the local machine;
// tools never know which one they got.
export interface ReadTextOptions {
  /** 1-based first line. */
  line?: number
  limit?: number
}

export interface FileStat {
  type: 'file' | 'directory' | 'other'
  size: number
  mtimeMs: number
}

export interface DirEntry {
  name: string
  type: 'file' | 'directory' | 'symlink' | 'other'
  size?: number
}

export interface TerminalRequest {
  command: string
  args?: string[]
  /** Absolute, already boundary-checked. */
  cwd?: string
  /** Added to the inherited environment, never replacing it. */
  env?: Record<string, string>
  outputByteLimit?: number
}

export interface ExitStatus {
  exitCode: number | null
  signal: string | null
}

export interface TerminalOutput {
  output: string
  truncated: boolean
  exitStatus?: ExitStatus
}

export type Backend = 'ide' | 'local'

export interface Workspace {
  /** The session's cwd: relative paths resolve against it. */
  readonly root: string
  /** The root and the additional directories the session may touch. */
  readonly roots: readonly string[]
  /** Which side serves each capability. */
  readonly backends: { readonly read: Backend; readonly write: Backend; readonly terminal: Backend }
  /** Absolute path for `path`, refusing anything outside the roots (symlinks followed). */
  resolve(path: string): Promise<string>
  /** Like resolve, with every symlink resolved: what a write would really reach. */
  realPath(path: string): Promise<string>
  /** How a path reads to the model: relative to the root when inside it. */
  display(absolute: string): string
  readText(path: string, options?: ReadTextOptions, signal?: AbortSignal): Promise<string>
  /** The saved file on disk, never an editor buffer: for bulk reads such as search. */
  readDiskText(path: string, signal?: AbortSignal): Promise<string>
  writeText(path: string, content: string, signal?: AbortSignal): Promise<void>
  stat(path: string): Promise<FileStat | undefined>
  listDir(path: string): Promise<DirEntry[]>
  /** Files under `dir`, as absolute paths, skipping .git and what .gitignore excludes. */
  walkFiles(dir: string, signal?: AbortSignal): AsyncIterable<string>
  createTerminal(request: TerminalRequest): Promise<string>
  terminalOutput(terminalId: string): Promise<TerminalOutput>
  waitForTerminalExit(terminalId: string, signal?: AbortSignal): Promise<ExitStatus>
  killTerminal(terminalId: string): Promise<void>
  releaseTerminal(terminalId: string): Promise<void>
  /** Ends everything the workspace started (the session is closing). */
  dispose(): Promise<void>
}

export class WorkspaceBoundaryError extends Error {
  override name = 'WorkspaceBoundaryError'
  constructor(
    readonly path: string,
    readonly root: string,
    reason = 'is outside the workspace',
  ) {
    super(`${JSON.stringify(path)} ${reason} (workspace root: ${root})`)
  }
}

export class WorkspaceFileNotFoundError extends Error {
  override name = 'WorkspaceFileNotFoundError'
  constructor(readonly path: string) {
    super(`no such file: ${path}`)
  }
}

export class UnknownTerminalError extends Error {
  override name = 'UnknownTerminalError'
  constructor(readonly terminalId: string) {
    super(`no terminal ${terminalId} (it may have been released)`)
  }
}
