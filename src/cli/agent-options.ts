// The options of the agent itself (`punie` / `punie acp`), defined once for commander and for the fast path.
import { parseArgs } from 'node:util'
import { LOG_LEVELS, type LogLevel } from '../log/logger.js'
import { TOOL_FORMATS, type ToolFormat } from '../model/text-tool-calls.js'
import { TOOL_MODES, type ToolMode } from '../tools/tool-mode.js'

export interface AgentOptions {
  model?: string
  logLevel: LogLevel
  logDir?: string
  tools?: ToolMode
  toolFormat?: ToolFormat
}

interface AgentFlag {
  name: string
  key: keyof AgentOptions
  value: string
  description: string
  choices?: readonly string[]
}

export const AGENT_FLAGS: readonly AgentFlag[] = [
  {
    name: 'model',
    key: 'model',
    value: 'spec',
    description:
      'model: local, local:NAME, ollama:NAME, lmstudio:NAME, openai:NAME, http://host:port/v1/NAME',
  },
  {
    name: 'tools',
    key: 'tools',
    value: 'mode',
    description: 'how the model calls tools, as JSON calls, Python code or both; default both',
    choices: TOOL_MODES,
  },
  {
    name: 'tool-format',
    key: 'toolFormat',
    value: 'format',
    description:
      'native tool calls, calls written as text for servers without tool calling, or auto; default auto',
    choices: TOOL_FORMATS,
  },
  { name: 'log-level', key: 'logLevel', value: 'level', description: 'log level', choices: LOG_LEVELS },
  {
    name: 'log-dir',
    key: 'logDir',
    value: 'dir',
    description: 'log directory (default $PUNIE_HOME/logs, PUNIE_HOME=~/.punie)',
  },
]

export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

/** The options that choose how sessions run (the rest say where logs go). */
export function agentFlags(opts: AgentOptions): {
  model?: string
  toolMode?: ToolMode
  toolFormat?: ToolFormat
} {
  return {
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.tools ? { toolMode: opts.tools } : {}),
    ...(opts.toolFormat ? { toolFormat: opts.toolFormat } : {}),
  }
}

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
  const options: Record<string, string> = { logLevel: DEFAULT_LOG_LEVEL }
  for (const flag of AGENT_FLAGS) {
    const value = values[flag.name]
    if (value === undefined) continue
    if (flag.choices && !flag.choices.includes(value)) return undefined
    options[flag.key] = value
  }
  return options as unknown as AgentOptions
}
