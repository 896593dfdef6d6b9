// How a session's turns behave; defaults favour reproducible runs on local models.
import { type CodeModeLimits, DEFAULT_CODE_LIMITS } from '../codemode/execute-code.js'
import type { PunieConfig } from '../config/config-file.js'
import { DEFAULT_DEVTOOL_SETTINGS, type DevtoolSettings } from '../devtools/settings.js'
import type { ToolFormat } from '../model/text-tool-calls.js'

export interface AgentConfig {
  temperature: number
  /** Sent to servers that honour it (llama.cpp, vLLM, OpenAI) for repeatable sampling. */
  seed?: number
  /** Nucleus sampling (top_p); unset, the server's default. */
  topP?: number
  maxTokens: number
  maxTurnRequests: number
  /** How many rounds of only-invalid tool calls the model gets before the turn stops. */
  maxInvalidToolRetries: number
  /** The window when the server does not say; caps what it says. Undefined: the server's, else 8192. */
  contextWindow?: number
  /** Output tokens every request leaves room for; by default a quarter of the window, at most maxTokens. */
  reservedOutputTokens?: number
  codeLimits: CodeModeLimits
  /** How tool calls travel: natively, as text in the answer, or natively with text as a fallback. */
  toolFormat: ToolFormat
  devtools: DevtoolSettings
  /** The user's own skills folder (PUNIE_HOME/skills); unset, only the project's skills count. */
  userSkills?: string
  /** Model specs that accept images in the prompt (`imageModels` in config.json). */
  imageModels?: readonly string[]
}

export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  temperature: 0,
  maxTokens: 8192,
  maxTurnRequests: 25,
  maxInvalidToolRetries: 2,
  codeLimits: DEFAULT_CODE_LIMITS,
  toolFormat: 'auto',
  devtools: DEFAULT_DEVTOOL_SETTINGS,
}

export function agentConfigFrom(file: PunieConfig): AgentConfig {
  return {
    temperature: file.temperature ?? DEFAULT_AGENT_CONFIG.temperature,
    ...(file.seed !== undefined ? { seed: file.seed } : {}),
    ...(file.topP !== undefined ? { topP: file.topP } : {}),
    maxTokens: file.maxTokens ?? DEFAULT_AGENT_CONFIG.maxTokens,
    maxTurnRequests: file.maxTurnRequests ?? DEFAULT_AGENT_CONFIG.maxTurnRequests,
    maxInvalidToolRetries: file.maxInvalidToolRetries ?? DEFAULT_AGENT_CONFIG.maxInvalidToolRetries,
    ...(file.contextWindow !== undefined ? { contextWindow: file.contextWindow } : {}),
    ...(file.reservedOutputTokens !== undefined ? { reservedOutputTokens: file.reservedOutputTokens } : {}),
    codeLimits: codeLimitsFrom(file.codeMode),
    toolFormat: file.toolFormat ?? DEFAULT_AGENT_CONFIG.toolFormat,
    ...(file.imageModels ? { imageModels: file.imageModels } : {}),
    devtools: {
      typechecker: file.typechecker ?? DEFAULT_DEVTOOL_SETTINGS.typechecker,
      languageServers: file.languageServers ?? DEFAULT_DEVTOOL_SETTINGS.languageServers,
      grepTimeoutMs: file.grepTimeoutMs ?? DEFAULT_DEVTOOL_SETTINGS.grepTimeoutMs,
      maxToolResultBytes: file.maxToolResultBytes ?? DEFAULT_DEVTOOL_SETTINGS.maxToolResultBytes,
      idleTimeoutMs: file.checkerIdleTimeoutMs ?? DEFAULT_DEVTOOL_SETTINGS.idleTimeoutMs,
      projectTrusted: DEFAULT_DEVTOOL_SETTINGS.projectTrusted,
    },
  }
}

function codeLimitsFrom(settings: PunieConfig['codeMode']): CodeModeLimits {
  const base = DEFAULT_CODE_LIMITS
  const timeoutMs = settings?.timeoutMs ?? base.timeoutMs
  return {
    timeoutMs,
    maxDurationSecs: timeoutMs / 1000,
    maxToolCalls: settings?.maxToolCalls ?? base.maxToolCalls,
    maxMemoryBytes: settings?.maxMemoryMb ? settings.maxMemoryMb * 1024 * 1024 : base.maxMemoryBytes,
    maxRecursionDepth: settings?.maxRecursionDepth ?? base.maxRecursionDepth,
    maxOutputChars: base.maxOutputChars,
  }
}
