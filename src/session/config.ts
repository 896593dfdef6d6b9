// How a session's turns behave; defaults favour reproducible runs on local models.
import type { PunieConfig } from '../config/config-file.js'

export interface AgentConfig {
  temperature: number
  maxTokens: number
  maxTurnRequests: number
  /** How many rounds of only-invalid tool calls the model gets before the turn stops. */
  maxInvalidToolRetries: number
  /** Used for usage reports when the server does not say. */
  contextWindow: number
}

export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  temperature: 0,
  maxTokens: 8192,
  maxTurnRequests: 25,
  maxInvalidToolRetries: 2,
  contextWindow: 32_768,
}

export function agentConfigFrom(file: PunieConfig): AgentConfig {
  return {
    temperature: file.temperature ?? DEFAULT_AGENT_CONFIG.temperature,
    maxTokens: file.maxTokens ?? DEFAULT_AGENT_CONFIG.maxTokens,
    maxTurnRequests: file.maxTurnRequests ?? DEFAULT_AGENT_CONFIG.maxTurnRequests,
    maxInvalidToolRetries: file.maxInvalidToolRetries ?? DEFAULT_AGENT_CONFIG.maxInvalidToolRetries,
    contextWindow: file.contextWindow ?? DEFAULT_AGENT_CONFIG.contextWindow,
  }
}
