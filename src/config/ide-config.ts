// IDE settings that launch Punie: JetBrains' ~/.jetbrains/acp.json and Zed's settings.json `agent_servers`.
// Edits keep everything else in the file, comments and formatting included (jsonc-parser).
import { applyEdits, modify, type ParseError, parse } from 'jsonc-parser'
import type { Ide } from './ides.js'

export interface AgentLaunch {
  command: string
  args: string[]
  env: Record<string, string>
}

/** The key Punie's entry goes under in every IDE's `agent_servers`; the IDEs show it as the agent's name. */
export const AGENT_KEY = 'Punie'

/** The key `punie init` once wrote for JetBrains: its entry is replaced by the one under AGENT_KEY. */
const LEGACY_AGENT_KEY = 'punie'

export function agentServerEntry(ide: Ide, launch: AgentLaunch): Record<string, unknown> {
  // Zed tells custom agents from registry and extension ones by `type`.
  return ide === 'zed' ? { type: 'custom', ...launch } : { ...launch }
}

/** Whether `text` holds a JSON(C) object, the only thing an IDE settings file may be. */
export function isSettingsObject(text: string): boolean {
  const errors: ParseError[] = []
  const value = parse(text, errors, { allowTrailingComma: true })
  return errors.length === 0 && typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Sets `agent_servers.<AGENT_KEY>` in a settings text (a valid object, or empty), keeping the rest. An entry an
 * older `punie init` wrote under the legacy key goes, so the IDE does not list Punie twice; another agent's
 * entry under that key stays.
 */
export function withAgentServer(text: string, entry: Record<string, unknown>): string {
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' }
  let result = text.trim() ? text : '{}\n'
  const legacy = (parse(result, [], { allowTrailingComma: true }) as SettingsShape)?.agent_servers?.[
    LEGACY_AGENT_KEY
  ]
  if (launchesPunie(legacy)) {
    result = applyEdits(
      result,
      modify(result, ['agent_servers', LEGACY_AGENT_KEY], undefined, { formattingOptions }),
    )
  }
  result = applyEdits(result, modify(result, ['agent_servers', AGENT_KEY], entry, { formattingOptions }))
  return result.endsWith('\n') ? result : `${result}\n`
}

interface SettingsShape {
  agent_servers?: Record<string, unknown>
}

function launchesPunie(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return false
  const { command, args } = entry as { command?: unknown; args?: unknown }
  const words = [command, ...(Array.isArray(args) ? args.slice(0, 1) : [])]
  return words.some((w) => typeof w === 'string' && /(^|[\\/])punie(\.js)?$/.test(w))
}
