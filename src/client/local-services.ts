// What a command-line client serves to the agent: files and terminals from the local workspace, inside its
// boundary, so tools run where the user ran `punie ask` even when the agent lives in a server.
import { type ClientApp, methods, RequestError } from '@agentclientprotocol/sdk'
import { boundaryDirectories, projectRootOf } from '../session/project.js'
import { LocalWorkspace } from '../workspace/local.js'
import {
  UnknownTerminalError,
  WorkspaceBoundaryError,
  WorkspaceFileNotFoundError,
} from '../workspace/workspace.js'

export const LOCAL_CLIENT_CAPABILITIES = {
  fs: { readTextFile: true, writeTextFile: true },
  terminal: true,
} as const

/** Adds fs/* and terminal/* handlers backed by a LocalWorkspace rooted at `root`. */
export function serveLocalWorkspace<App extends ClientApp>(
  app: App,
  root: string,
): App & { dispose(): Promise<void> } {
  // The same boundary the agent gives a session here: the directory and the project around it.
  const project = projectRootOf(root)
  const workspace = new LocalWorkspace(
    root,
    boundaryDirectories({ cwd: root, project, additionalDirectories: [] }),
  )
  const served = app
    .onRequest(methods.client.fs.readTextFile, ({ params }) =>
      guard(async () => ({
        content: await workspace.readText(params.path, {
          ...(params.line ? { line: params.line } : {}),
          ...(params.limit ? { limit: params.limit } : {}),
        }),
      })),
    )
    .onRequest(methods.client.fs.writeTextFile, ({ params }) =>
      guard(async () => {
        await workspace.writeText(params.path, params.content)
        return {}
      }),
    )
    .onRequest(methods.client.terminal.create, ({ params }) =>
      guard(async () => {
        const cwd = params.cwd ? await workspace.resolve(params.cwd) : root
        const terminalId = await workspace.createTerminal({
          command: params.command,
          ...(params.args ? { args: params.args } : {}),
          cwd,
          ...(params.env ? { env: Object.fromEntries(params.env.map((e) => [e.name, e.value])) } : {}),
          ...(params.outputByteLimit ? { outputByteLimit: params.outputByteLimit } : {}),
        })
        return { terminalId }
      }),
    )
    .onRequest(methods.client.terminal.output, ({ params }) =>
      guard(async () => {
        const out = await workspace.terminalOutput(params.terminalId)
        return {
          output: out.output,
          truncated: out.truncated,
          ...(out.exitStatus ? { exitStatus: out.exitStatus } : {}),
        }
      }),
    )
    .onRequest(methods.client.terminal.waitForExit, ({ params }) =>
      guard(() => workspace.waitForTerminalExit(params.terminalId)),
    )
    .onRequest(methods.client.terminal.kill, ({ params }) =>
      guard(async () => {
        await workspace.killTerminal(params.terminalId)
        return {}
      }),
    )
    .onRequest(methods.client.terminal.release, ({ params }) =>
      guard(async () => {
        await workspace.releaseTerminal(params.terminalId)
        return {}
      }),
    )
  return Object.assign(served, { dispose: () => workspace.dispose() })
}

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof WorkspaceFileNotFoundError) throw RequestError.resourceNotFound(error.path)
    if (error instanceof WorkspaceBoundaryError || error instanceof UnknownTerminalError) {
      throw RequestError.invalidParams(undefined, error.message)
    }
    throw RequestError.internalError(undefined, error instanceof Error ? error.message : String(error))
  }
}
