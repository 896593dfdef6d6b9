// Composition root: builds the session core (store, models, tools, manager) from settings on disk.
import { isTrustedProject, loadConfig, readConfigFile } from '../config/config-file.js'
import type { Env } from '../config/home.js'
import { homePaths } from '../config/home.js'
import type { Logger } from '../log/logger.js'
import { acceptsImages, chooseModelSpec, modelChoices } from '../model/choose.js'
import { preloadModelClient } from '../model/openai-compatible.js'
import { createModelSource } from '../model/source.js'
import { DEFAULT_STREAM_TIMEOUTS } from '../model/stream-watch.js'
import type { ToolFormat } from '../model/text-tool-calls.js'
import { createOtelExporter } from '../perf/otel.js'
import { agentConfigFrom } from '../session/config.js'
import { SessionManager } from '../session/manager.js'
import type { SessionRecord, SessionSurface } from '../session/ports.js'
import { boundaryDirectories } from '../session/project.js'
import { type ResumeTokenStore, SqliteStore } from '../store/sqlite-store.js'
import { builtinTools } from '../tools/builtin/index.js'
import type { Tool } from '../tools/define.js'
import type { PermissionMode, PermissionOutcome } from '../tools/permission.js'
import { createRegistry } from '../tools/registry.js'
import type { ToolMode } from '../tools/tool-mode.js'
import { packageVersion } from '../version.js'
import { LocalWorkspace } from '../workspace/local.js'
import { warmUp } from './warm-up.js'

export interface CoreOptions {
  home: string
  /** The SQLite file for sessions; default $PUNIE_HOME/punie.db (evaluation runs keep theirs apart). */
  database?: string
  env: Env
  logger: Logger
  flags: AgentFlags
  /** The built-in tools to offer (default: all of them); the bench narrows them. */
  tools?: readonly Tool[]
}

/** Command-line choices; each wins over the config file. */
export interface AgentFlags {
  model?: string
  toolMode?: ToolMode
  toolFormat?: ToolFormat
  /** Permission mode of new sessions (evaluation runs use yolo: nobody is there to answer). */
  mode?: PermissionMode
  temperature?: number
  seed?: number
  topP?: number
  /** The most tokens one model answer may have. */
  maxTokens?: number
}

export interface AgentCore {
  manager: SessionManager
  /** Model specs offered in the model picker besides the current one and those the session has had. */
  knownModels: readonly string[]
  /** Whether the model new sessions start with takes images (`imageModels`): promptCapabilities.image. */
  promptImages?: boolean
  /** The built-in tools; an IDE catalog may add to or replace them per session. */
  builtinTools: readonly Tool[]
  logger: Logger
  /** How long the client may take to answer a file or terminal request (default 30 s). */
  clientRequestTimeoutMs?: number
  /** The user's settings file, read again for each session's MCP servers. */
  userConfigPath?: string
}

export interface ClosableCore extends AgentCore {
  /** Where the server keeps the hashes of its clients' resume tokens. */
  resumeTokens: ResumeTokenStore
  /** Prepares what a first session and turn need, yielding to requests between steps; never fails. */
  warmUp(): Promise<void>
  /** The surface of a session the dashboard started: tools run here, and its permission requests wait for the browser. */
  browserSurface(record: SessionRecord): SessionSurface
  close(): Promise<void>
}

export async function createAgentCore(options: CoreOptions): Promise<ClosableCore> {
  const paths = homePaths(options.home)
  const userConfig = readConfigFile(paths.config)
  const store = SqliteStore.open(options.database ?? paths.database)
  const models = createModelSource({
    env: options.env,
    logger: options.logger,
    stream: userConfig.stream ?? true,
    requestTimeoutMs: userConfig.requestTimeoutMs ?? DEFAULT_STREAM_TIMEOUTS.requestTimeoutMs,
    firstChunkTimeoutMs: userConfig.firstChunkTimeoutMs ?? DEFAULT_STREAM_TIMEOUTS.firstChunkTimeoutMs,
    streamIdleTimeoutMs: userConfig.streamIdleTimeoutMs ?? DEFAULT_STREAM_TIMEOUTS.streamIdleTimeoutMs,
  })
  const registry = createRegistry(options.tools ?? builtinTools)
  // The model a session gets unless its project's config names another.
  const defaultModel = () =>
    chooseModelSpec({ flag: options.flags.model, env: options.env.PUNIE_MODEL, userConfig: userConfig.model })
      .spec
  const baseConfig = agentConfigFrom(userConfig)
  const manager = new SessionManager({
    store,
    models,
    config: {
      ...baseConfig,
      // Read again on each question, so that `punie trust` counts without a restart.
      devtools: { ...baseConfig.devtools, projectTrusted: (dir) => trustedNow(paths.config, dir) },
      userSkills: paths.skills,
      ...(options.flags.toolFormat ? { toolFormat: options.flags.toolFormat } : {}),
      ...(options.flags.temperature !== undefined ? { temperature: options.flags.temperature } : {}),
      ...(options.flags.seed !== undefined ? { seed: options.flags.seed } : {}),
      ...(options.flags.topP !== undefined ? { topP: options.flags.topP } : {}),
      ...(options.flags.maxTokens !== undefined ? { maxTokens: options.flags.maxTokens } : {}),
    },
    logger: options.logger,
    env: options.env,
    newSessionDefaults: (cwd) => {
      const loaded = loadConfig(paths.config, cwd, options.env)
      if (loaded.notice) options.logger.warn('%s', loaded.notice)
      const choice = chooseModelSpec({
        flag: options.flags.model,
        env: options.env.PUNIE_MODEL,
        userConfig: userConfig.model,
        projectConfig: loaded.config.model,
      })
      options.logger.info('session model %s (from %s)', choice.spec, choice.origin)
      const mode = options.flags.mode ?? loaded.config.mode
      return { model: choice.spec, ...(mode ? { mode } : {}), notices: loaded.notice ? [loaded.notice] : [] }
    },
    defaultMode: options.flags.mode ?? userConfig.mode ?? 'ask',
    defaultToolMode: options.flags.toolMode ?? userConfig.toolMode ?? 'both',
    localSurface: (record: SessionRecord): SessionSurface => ({
      workspace: new LocalWorkspace(record.cwd, boundaryDirectories(record)),
      tools: registry,
      // Without a client there is nobody to ask; the model is told the call was rejected.
      askPermission: async () => 'reject_once',
    }),
  })
  const browserSurface = (record: SessionRecord): SessionSurface => ({
    client: 'browser',
    workspace: new LocalWorkspace(record.cwd, boundaryDirectories(record)),
    tools: registry,
    // The browser answers through Session.answerPermission; this only waits, and gives up with the turn.
    askPermission: (_request, signal) => untilAborted(signal),
  })
  const telemetry = await createOtelExporter(options.env, packageVersion(), options.logger)
  if (telemetry) manager.observe((event) => telemetry.onEvent(event))
  return {
    manager,
    // The model new sessions start with stays a choice after a session switches away from it.
    knownModels: modelChoices(defaultModel(), ['local'], userConfig.models ?? []),
    promptImages: acceptsImages(defaultModel(), userConfig.imageModels),
    ...(userConfig.clientRequestTimeoutMs
      ? { clientRequestTimeoutMs: userConfig.clientRequestTimeoutMs }
      : {}),
    builtinTools,
    logger: options.logger,
    userConfigPath: paths.config,
    resumeTokens: store,
    browserSurface,
    warmUp: () =>
      warmUp(
        [
          { name: 'model client', run: preloadModelClient },
          // Per tool set, shared by every session; the schemas are rebuilt per session, but warm.
          { name: 'Code Mode stubs', run: () => manager.stubs.stubs(builtinTools) },
          { name: 'tool schemas', run: () => createRegistry(builtinTools).modelSchemas() },
          { name: 'default model', run: () => models.get(defaultModel()) },
        ],
        options.logger,
      ),
    close: async () => {
      await manager.closeAll()
      await telemetry
        ?.shutdown()
        .catch((error: unknown) => options.logger.warn('telemetry flush failed: %s', error))
      store.close()
    },
  }
}

function trustedNow(userConfigPath: string, dir: string): boolean {
  try {
    return isTrustedProject(dir, readConfigFile(userConfigPath).trustedProjects ?? [])
  } catch {
    return false
  }
}

function untilAborted(signal: AbortSignal): Promise<PermissionOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('cancelled')
    else signal.addEventListener('abort', () => resolve('cancelled'), { once: true })
  })
}
