// What an ACP client brings to a session: its workspace (IDE-backed where it can), its tool catalog, and its
// permission dialogs.
import type { AgentContext } from '@agentclientprotocol/sdk'
import { methods } from '@agentclientprotocol/sdk'
import type { Logger } from '../log/logger.js'
import type { PermissionRequest, SessionRecord, SessionSurface } from '../session/ports.js'
import { boundaryDirectories } from '../session/project.js'
import type { Tool } from '../tools/define.js'
import type { PermissionOutcome } from '../tools/permission.js'
import { createRegistry, type ToolRegistry } from '../tools/registry.js'
import { LocalWorkspace } from '../workspace/local.js'
import { AcpWorkspace, type ClientFeatures } from './acp-workspace.js'
import { permissionOptions, permissionToolCall, toPermissionOutcome } from './mapping.js'
import {
  discoverIdeTools,
  FIRST_TURN_DISCOVERY_WAIT_MS,
  ideTool,
  mergeTools,
  settledWithin,
} from './tool-discovery.js'

export interface AcpSurfaceOptions {
  client: AgentContext
  features: ClientFeatures
  builtins: readonly Tool[]
  logger: Logger
  /** The deadline of file and terminal requests; see client-request.ts. */
  requestTimeoutMs?: number
}

export function createAcpSurface(record: SessionRecord, options: AcpSurfaceOptions): SessionSurface {
  const { client, logger } = options
  const local = new LocalWorkspace(record.cwd, boundaryDirectories(record))
  let tools: ToolRegistry = createRegistry(options.builtins)
  // Only a client that advertised the extension is asked; the catalog loads in the background, and a turn
  // waits for it only briefly: tools that come later are there from the next turn on.
  const discovery = options.features.discoverTools
    ? discoverIdeTools(client, record.id).then((catalog) => {
        if (!catalog?.length) return
        logger.info(
          'session %s: the IDE offers %d tools: %s',
          record.id,
          catalog.length,
          catalog.map((t) => t.name).join(', '),
        )
        tools = createRegistry(
          mergeTools(
            options.builtins,
            catalog.map((entry) => ideTool(entry, client, record.id)),
          ),
        )
      })
    : undefined
  const ready = discovery && settledWithin(discovery, FIRST_TURN_DISCOVERY_WAIT_MS)
  return {
    workspace: new AcpWorkspace(client, record.id, options.features, local, options.requestTimeoutMs),
    get tools() {
      return tools
    },
    ready,
    // No deadline: the answer waits on a person, who may be away for a while. The turn's cancel ends the wait
    // (the SDK stops waiting at once and asks the client to close its dialog), and so does a closed connection.
    askPermission: async (request: PermissionRequest, signal: AbortSignal): Promise<PermissionOutcome> => {
      const offered = permissionOptions(request.allowAlways ?? true)
      const response = await client.request(
        methods.client.session.requestPermission,
        { sessionId: record.id, toolCall: permissionToolCall(request, record.cwd), options: offered },
        { cancellationSignal: signal, stopWaitingOnCancel: true },
      )
      return toPermissionOutcome(response, offered)
    },
  }
}
