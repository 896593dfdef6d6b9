// How a command-line client reaches an agent: the running server over WebSocket, or an agent in this process.
import type { AnyMessage, Stream } from '@agentclientprotocol/sdk'
import { imagePromptsAdvertised } from '../config/image-prompts.js'
import type { AgentFlags } from '../core/core.js'
import type { Logger } from '../log/logger.js'
import { acpSocketUrl, type RunningServer } from '../server/server-file.js'

export interface AgentLink {
  stream: Stream
  /** Where the agent runs, for messages: "server http://…" or "in-process". */
  via: string
  close(): Promise<void>
}

export async function serverLink(server: Pick<RunningServer, 'url' | 'token'>): Promise<AgentLink> {
  const [{ createWebSocketStream }, { default: WebSocket }] = await Promise.all([
    import('@agentclientprotocol/sdk/experimental/ws-client'),
    import('ws'),
  ])
  const stream = createWebSocketStream(acpSocketUrl(server.url), {
    WebSocket: WebSocket as never,
    headers: { Authorization: `Bearer ${server.token}` },
  })
  return { stream, via: `server ${server.url}`, close: async () => undefined }
}

/** Two message streams joined end to end: what one side writes, the other reads. */
export function messagePipe(): { agentSide: Stream; clientSide: Stream } {
  const toAgent = new TransformStream<AnyMessage, AnyMessage>()
  const toClient = new TransformStream<AnyMessage, AnyMessage>()
  return {
    agentSide: { readable: toAgent.readable, writable: toClient.writable },
    clientSide: { readable: toClient.readable, writable: toAgent.writable },
  }
}

export async function inProcessLink(options: {
  home: string
  version: string
  flags: AgentFlags
  logger: Logger
}): Promise<AgentLink> {
  const [{ createAcpAgent }, { lazyCore }] = await Promise.all([
    import('../acp/agent.js'),
    import('../core/lazy-core.js'),
  ])
  const core = lazyCore({
    home: options.home,
    env: process.env,
    logger: options.logger,
    flags: options.flags,
  })
  const { agentSide, clientSide } = messagePipe()
  const connection = createAcpAgent({
    version: options.version,
    core: core.load,
    logger: options.logger,
    promptImages: imagePromptsAdvertised(options.home, process.env, options.flags.model),
  }).connect(agentSide)
  return {
    stream: clientSide,
    via: 'in-process',
    close: async () => {
      connection.close()
      await connection.closed.catch(() => undefined)
      await core.close()
    },
  }
}
