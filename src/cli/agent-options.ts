// The options of the agent itself (`punie` / `punie acp`), defined once for commander and for the fast path.
import { parseArgs } from 'node:util'
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log/logger.js'

export interface AgentOptions {
  model?: string
  logLevel: LogLevel
  logDir?: string
}

export const AGENT_FLAGS = [
  {
    name: 'model',
    key: 'model',
    value: 'spec',
    description:
      'model: local, local:NAME, ollama:NAME, lmstudio:NAME, openai:NAME, http://host:port/v1/NAME',
  },
  { name: 'log-level', key: 'logLevel', value: 'level', description: `log level (${LOG_LEVELS.join(', ')})` },
  {
    name: 'log-dir',
    key: 'logDir',
    value: 'dir',
    description: 'log directory (default $PUNIE_HOME/logs, PUNIE_HOME=~/.punie)',
  },
] as const

export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

/**
 * Reads an IDE's launch line (`punie [acp] [--model X] [--log-level L] [--log-dir D]`) without loading
 * commander; anything else (help, version, other commands, mistakes) returns undefined for commander to handle.
 */
export function parseAgentLaunch(args: string[]): AgentOptions | undefined {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(AGENT_FLAGS.map((f) => [f.name, { type: 'string' as const }])),
    })
  } catch {
    return undefined
  }
  if (parsed.positionals.length > 1 || (parsed.positionals[0] ?? 'acp') !== 'acp') return undefined
  const values = parsed.values as Record<string, string | undefined>
  const logLevel = values['log-level'] ?? DEFAULT_LOG_LEVEL
  if (!isLogLevel(logLevel)) return undefined
  return {
    logLevel,
    ...(values.model !== undefined ? { model: values.model } : {}),
    ...(values['log-dir'] !== undefined ? { logDir: values['log-dir'] } : {}),
  }
}
