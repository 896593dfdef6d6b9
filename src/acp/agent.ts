// The ACP agent side: wires ACP requests to the shared session core. One AgentApp per connection.
import { type AgentContext, agent, type McpServer, methods, RequestError } from '@agentclientprotocol/sdk'
import type { AgentCore } from '../core/core.js'
import type { Logger } from '../log/logger.js'
import { readMcpSettings, specsFromAcp } from '../mcp/config.js'
import { modelChoices as modelChoicesFor } from '../model/choose.js'
import { quote } from '../quote.js'
import type { AgentEvent } from '../session/events.js'
import type { SessionRecord, SessionSurface } from '../session/ports.js'
import type { Session } from '../session/session.js'
import { type ClientFeatures, clientFeatures } from './acp-workspace.js'
import { toRequestError, turnFailedError } from './errors.js'
import { initializeResponse } from './initialize.js'
import {
  availableCommands,
  coalesceDeltas,
  eventToUpdates,
  MODE_CONFIG_ID,
  MODEL_CONFIG_ID,
  parseSetModelParams,
  type SessionModelState,
  sessionConfigOptions,
  sessionModels,
  sessionModes,
  TOOL_MODE_CONFIG_ID,
  toPromptBlocks,
  toSessionInfo,
  type UpdateContext,
} from './mapping.js'
import { createAcpSurface } from './surface.js'

/**
 * Which sessions one connection may use. The stdio client owns the process and may use all of them; a server
 * client only those it created or proved it may resume (see server/access.ts).
 */
export interface SessionAccess {
  /** The session was created on this connection; returns what to add to the response's `_meta`. */
  created(sessionId: string): Record<string, unknown> | undefined
  /** Throws unless this connection may load, resume or close the session, given the request's `_meta`. */
  admit(sessionId: string, meta: Readonly<Record<string, unknown>> | null | undefined): void
  /** Whether session/list shows the session to this connection, given the request's `_meta`. */
  visible(sessionId: string, meta: Readonly<Record<string, unknown>> | null | undefined): boolean
}

export const FULL_ACCESS: SessionAccess = {
  created: () => undefined,
  admit: () => undefined,
  visible: () => true,
}

export interface AcpAgentOptions {
  version: string
  /** The core loads on the first session request, so `initialize` stays fast. */
  core: () => Promise<AgentCore>
  logger: Logger
  access?: SessionAccess
  /** Whether prompts may carry images (promptCapabilities.image), decided before the core loads. */
  promptImages?: boolean
}

export function createAcpAgent(options: AcpAgentOptions) {
  const { logger } = options
  const access = options.access ?? FULL_ACCESS
  /** Sessions this connection attached to: the surface it gave each, and how to stop listening. */
  const attached = new Map<string, { surface?: SessionSurface; unsubscribe: () => void }>()
  const surfaces = new Map<string, SessionSurface>()
  let client: AgentContext | undefined
  let features: ClientFeatures = clientFeatures(undefined)

  const withCore = async <T>(run: (core: AgentCore) => T | Promise<T>): Promise<T> => {
    try {
      return await run(await options.core())
    } catch (error) {
      if (!(error instanceof RequestError)) logger.debug('request failed: %s', error)
      throw toRequestError(error)
    }
  }

  const modelChoices = (core: AgentCore, session: Session) =>
    modelChoicesFor(session.model, session.modelsUsed, core.knownModels)

  const configOptions = (core: AgentCore, session: Session) =>
    sessionConfigOptions(
      { model: session.model, mode: session.mode, toolMode: session.toolMode },
      modelChoices(core, session),
    )

  /**
   * What session/new, load and resume answer with: the config options, and the older `modes` and `models`
   * fields that clients from before config options read (the spec asks for both during the transition).
   */
  const sessionState = (core: AgentCore, session: Session) => ({
    configOptions: configOptions(core, session),
    modes: sessionModes(session.mode),
    models: sessionModels(session.model, modelChoices(core, session)) satisfies SessionModelState,
  })

  const context = (core: AgentCore, session: Session, mode: UpdateContext['mode']): UpdateContext => ({
    mode,
    cwd: session.cwd,
    configOptions: () => configOptions(core, session),
  })

  const send = (sessionId: string, update: ReturnType<typeof eventToUpdates>[number]) => {
    client?.notify(methods.client.session.update, { sessionId, update }).catch((error: unknown) => {
      logger.warn('could not send session/update: %s', error)
    })
  }

  const surface = (core: AgentCore, mcpServers?: readonly McpServer[]) => (record: SessionRecord) => {
    if (!client) throw RequestError.internalError(undefined, 'no client connection')
    const configPath = core.userConfigPath
    const made = createAcpSurface(record, {
      client,
      features,
      builtins: core.builtinTools,
      logger,
      ...(core.clientRequestTimeoutMs ? { requestTimeoutMs: core.clientRequestTimeoutMs } : {}),
      mcpServers: specsFromAcp(mcpServers),
      ...(configPath ? { mcpSettings: (cwd: string) => readMcpSettings(configPath, cwd) } : {}),
    })
    surfaces.set(record.id, made)
    return made
  }

  const attach = (core: AgentCore, session: Session) => {
    const surface = surfaces.get(session.id)
    surfaces.delete(session.id)
    const previous = attached.get(session.id)
    if (previous) {
      if (surface) previous.surface = surface
      return
    }
    const live = context(core, session, 'live')
    const unsubscribe = session.subscribe((event: AgentEvent) => {
      for (const update of eventToUpdates(event, live)) send(session.id, update)
    })
    attached.set(session.id, { ...(surface ? { surface } : {}), unsubscribe })
  }

  const detach = (sessionId: string) => {
    attached.get(sessionId)?.unsubscribe()
    attached.delete(sessionId)
  }

  /** The client left: stop sending it updates, and close the sessions nobody else has taken over. */
  const disconnected = async () => {
    const left = [...attached]
    attached.clear()
    for (const [, entry] of left) entry.unsubscribe()
    const core = await options.core().catch(() => undefined)
    if (!core) return
    await Promise.all(
      left.map(([id, entry]) => (entry.surface ? core.manager.release(id, entry.surface) : undefined)),
    ).catch((error: unknown) => logger.warn('closing the sessions of a departed client failed: %s', error))
  }

  /**
   * Sent after the response so the client already knows the session; again whenever the surface's commands
   * (MCP prompts) change.
   */
  const announce = (session: Session) => {
    const commands = attached.get(session.id)?.surface?.commands
    const sendCommands = () =>
      send(session.id, {
        sessionUpdate: 'available_commands_update',
        availableCommands: availableCommands(commands?.list()),
      })
    setImmediate(sendCommands)
    let shown = JSON.stringify(commands?.list() ?? [])
    commands?.subscribe?.(() => {
      const now = JSON.stringify(commands.list())
      if (now === shown || !attached.has(session.id)) return
      shown = now
      sendCommands()
    })
  }

  const attachedSession = (core: AgentCore, sessionId: string): Session => {
    const session = core.manager.find(sessionId)
    if (!session || !attached.has(sessionId)) throw RequestError.sessionNotFound(sessionId)
    return session
  }

  return agent({ name: 'punie' })
    .onConnect((connection) => {
      client = connection.client
      connection.closed.then(disconnected)
    })
    .onRequest(methods.agent.initialize, ({ params }) => {
      features = clientFeatures(params.clientCapabilities)
      return initializeResponse(options.version, options.promptImages ?? false)
    })
    .onRequest(methods.agent.session.new, ({ params }) =>
      withCore((core) => {
        const session = core.manager.create({
          cwd: params.cwd,
          ...(params.additionalDirectories ? { additionalDirectories: params.additionalDirectories } : {}),
          surface: surface(core, params.mcpServers),
        })
        attach(core, session)
        announce(session)
        logger.info('session %s created in %s', session.id, session.cwd)
        const meta = access.created(session.id)
        return {
          sessionId: session.id,
          ...sessionState(core, session),
          ...(meta ? { _meta: meta } : {}),
        }
      }),
    )
    .onRequest(methods.agent.session.load, ({ params }) =>
      withCore((core) => {
        access.admit(params.sessionId, params._meta)
        const session = core.manager.open(params.sessionId, surface(core, params.mcpServers))
        const replay = context(core, session, 'replay')
        for (const event of coalesceDeltas(core.manager.transcript(session.id))) {
          for (const update of eventToUpdates(event, replay)) send(session.id, update)
        }
        attach(core, session)
        announce(session)
        return sessionState(core, session)
      }),
    )
    .onRequest(methods.agent.session.resume, ({ params }) =>
      withCore((core) => {
        access.admit(params.sessionId, params._meta)
        const session = core.manager.open(params.sessionId, surface(core, params.mcpServers))
        attach(core, session)
        announce(session)
        return sessionState(core, session)
      }),
    )
    .onRequest(methods.agent.session.list, ({ params }) =>
      withCore((core) => {
        const page = core.manager.list({
          ...(params.cwd ? { cwd: params.cwd } : {}),
          ...(params.cursor ? { cursor: params.cursor } : {}),
        })
        return {
          sessions: page.sessions.filter((s) => access.visible(s.id, params._meta)).map(toSessionInfo),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        }
      }),
    )
    .onRequest(methods.agent.session.close, ({ params }) =>
      withCore(async (core) => {
        if (!attached.has(params.sessionId)) access.admit(params.sessionId, params._meta)
        detach(params.sessionId)
        await core.manager.close(params.sessionId)
        return {}
      }),
    )
    .onRequest(methods.agent.session.prompt, ({ params }) =>
      withCore(async (core) => {
        const session = attachedSession(core, params.sessionId)
        const stopReason = await session.prompt(toPromptBlocks(params.prompt))
        const failure = session.lastFailure
        // A turn that failed (model unreachable, server error) is no answer: ACP v1 has no stop reason for
        // it, so the request fails, with the reason, and the session stays usable (docs/acp.md).
        if (failure) throw turnFailedError(failure)
        return { stopReason }
      }),
    )
    .onRequest(methods.agent.session.setMode, ({ params }) =>
      withCore((core) => {
        attachedSession(core, params.sessionId).setMode(params.modeId)
        return {}
      }),
    )
    .onRequest('session/set_model', parseSetModelParams, ({ params }) =>
      withCore((core) => {
        attachedSession(core, params.sessionId).setModel(params.modelId)
        return {}
      }),
    )
    .onNotification(methods.agent.session.cancel, ({ params }) => {
      if (!attached.has(params.sessionId)) return
      void options.core().then((core) => core.manager.find(params.sessionId)?.cancel())
    })
    .onRequest(methods.agent.session.setConfigOption, ({ params }) =>
      withCore((core) => {
        const session = attachedSession(core, params.sessionId)
        if (typeof params.value !== 'string') {
          throw RequestError.invalidParams(
            undefined,
            `config option ${quote(params.configId)} takes a string value`,
          )
        }
        if (params.configId === MODEL_CONFIG_ID) session.setModel(params.value)
        else if (params.configId === MODE_CONFIG_ID) session.setMode(params.value)
        else if (params.configId === TOOL_MODE_CONFIG_ID) session.setToolMode(params.value)
        else
          throw RequestError.invalidParams(
            undefined,
            `unknown config option ${quote(params.configId)}: use model or mode`,
          )
        return { configOptions: configOptions(core, session) }
      }),
    )
}
