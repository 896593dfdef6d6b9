// The one way tools touch files and processes. Implemented by the IDE over ACP and by the local machine.
export interface ReadTextOptions {
  /** 1-based first line. */
  line?: number
  limit?: number
}

export interface Workspace {
  /** Absolute root the session is confined to. */
  readonly root: string
  readText(path: string, options?: ReadTextOptions, signal?: AbortSignal): Promise<string>
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
