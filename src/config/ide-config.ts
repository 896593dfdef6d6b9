// IDE settings that launch Punie: JetBrains' ~/.jetbrains/acp.json and Zed's settings.json `agent_servers`.
// Edits keep everything else in the file, comments and formatting included (jsonc-parser).
import { applyEdits, modify, type ParseError, parse } from 'jsonc-parser'
import type { Ide } from './ides.js'

export interface AgentLaunch {
  command: string
  args: string[]
  env: Record<string, string>
}

/** The key Punie's entry goes under in each IDE's `agent_servers`. */
export const AGENT_NAME: Record<Ide, string> = { jetbrains: 'punie', zed: 'Punie' }

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

/** Sets `agent_servers.<name>` in a settings text (a valid object, or empty), keeping the rest. */
export function withAgentServer(text: string, name: string, entry: Record<string, unknown>): string {
  const base = text.trim() ? text : '{}\n'
  const edits = modify(base, ['agent_servers', name], entry, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
  })
  const result = applyEdits(base, edits)
  return result.endsWith('\n') ? result : `${result}\n`
}
