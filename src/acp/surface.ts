// What an ACP client brings to a session: its workspace (IDE-backed where it can), its tool catalog, and its
// permission dialogs.
import type { AgentContext } from '@agentclientprotocol/sdk'
import { methods } from '@agentclientprotocol/sdk'
import type { McpServerSpec } from '../config/mcp-servers.js'
import type { Logger } from '../log/logger.js'
import { FIRST_TURN_MCP_WAIT_MS, McpClients } from '../mcp/client-pool.js'
import { combineServers, type McpSettings } from '../mcp/config.js'
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
  /** The MCP servers the client passed in session/new or session/load. */
  mcpServers?: readonly McpServerSpec[]
  /** The servers and trust of the user's and the project's config, read for this session's cwd. */
  mcpSettings?: (cwd: string) => McpSettings
}

/** Tool names the session's helpers take (tool-kit.ts); no MCP tool may take them. */
const HELPER_NAMES = ['execute_code', 'tool_help', 'call_tool']

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
  const mcp = startMcp(record, options, () => new Set([...tools.list().map((t) => t.name), ...HELPER_NAMES]))
  const waits = [
    ...(discovery ? [settledWithin(discovery, FIRST_TURN_DISCOVERY_WAIT_MS)] : []),
    ...(mcp?.clients.size ? [settledWithin(mcp.clients.started, FIRST_TURN_MCP_WAIT_MS)] : []),
  ]
  const ready = waits.length ? Promise.all(waits).then(() => undefined) : undefined
  // The registry is rebuilt only when the MCP tools change, so a turn's tool kit is reused while they do not.
  let withMcp: { base: ToolRegistry; mcp: readonly Tool[]; registry: ToolRegistry } | undefined
  const allTools = (): ToolRegistry => {
    const fromMcp = mcp?.clients.tools() ?? []
    if (!fromMcp.length) return tools
    if (withMcp?.base !== tools || withMcp.mcp !== fromMcp) {
      // An IDE catalog that came after the MCP tools were named may have taken one of their names: it keeps it.
      const free = fromMcp.filter((t) => !tools.get(t.name))
      withMcp = { base: tools, mcp: fromMcp, registry: createRegistry([...tools.list(), ...free]) }
    }
    return withMcp.registry
  }
  return {
    client: 'acp',
    workspace: new AcpWorkspace(client, record.id, options.features, local, options.requestTimeoutMs),
    get tools() {
      return allTools()
    },
    ready,
    ...(mcp
      ? {
          takeNotices: () => [...mcp.notices.splice(0), ...mcp.clients.takeNotices()],
          commands: {
            list: () => mcp.clients.commands(),
            expand: (name: string, args: string, signal: AbortSignal) =>
              mcp.clients.expandCommand(name, args, signal),
            subscribe: (listener: () => void) => mcp.clients.subscribe(listener),
          },
          dispose: () => mcp.clients.dispose(),
        }
      : {}),
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

/** The session's MCP servers: the client's and the config's, started in the background; none, none started. */
function startMcp(
  record: SessionRecord,
  options: AcpSurfaceOptions,
  reserved: () => ReadonlySet<string>,
): { clients: McpClients; notices: string[] } | undefined {
  const settings = options.mcpSettings?.(record.cwd)
  const servers = combineServers(options.mcpServers ?? [], settings?.servers ?? [])
  const notices = [...(settings?.notices ?? [])]
  if (!servers.length && !notices.length) return undefined
  const clients = new McpClients({
    servers,
    cwd: record.cwd,
    trust: settings?.trust ?? {},
    ...(settings?.timeoutMs ? { callTimeoutMs: settings.timeoutMs } : {}),
    logger: options.logger,
    reserved,
  })
  if (servers.length)
    options.logger.info('session %s: MCP servers %s', record.id, servers.map((s) => s.name).join(', '))
  return { clients, notices }
}
