// What a captured turn was offered: the store keeps neither the system prompt nor the tool schemas of a
// request, so both are derived again, deterministically, from the built-in tool registry and the session's
// tool mode and permission mode, the way the session builds them. What the derivation cannot know: tools an
// IDE catalog or an MCP server added, and the project's instructions and skills at the time.
import { DEFAULT_CODE_LIMITS } from '../codemode/execute-code.js'
import { createStubCache } from '../codemode/stub-cache.js'
import type { ToolDefinition } from '../dataset/example.js'
import type { ToolSchema } from '../model/types.js'
import type { SessionRecord } from '../session/ports.js'
import { buildSystemPrompt } from '../session/system-prompt.js'
import { buildToolKit, type ToolKit } from '../session/tool-kit.js'
import { builtinTools } from '../tools/builtin/index.js'
import { changesWorkspace } from '../tools/define.js'

export interface Offered {
  systemPrompt: string
  /** The JSON tools offered. */
  tools: ToolDefinition[]
  /** Every tool the turn could reach by name (a listed tool called directly still runs), for calls outside `tools`. */
  reachable: ReadonlyMap<string, ToolDefinition>
}

export type OfferedFor = (record: Pick<SessionRecord, 'cwd' | 'mode' | 'toolMode'>) => Offered

/** A deriver that builds each (tool mode, mode) kit once. */
export function offeredDeriver(): OfferedFor {
  const kits = new Map<string, ToolKit>()
  const stubs = createStubCache()
  // Tools present only in some projects (skills) depend on the project as it is now, not as it was.
  const always = builtinTools.filter((t) => !t.present)
  return (record) => {
    const key = `${record.toolMode}/${record.mode}`
    let kit = kits.get(key)
    if (!kit) {
      kit = buildToolKit({
        all: always,
        allowed: always.filter((t) => record.mode !== 'read-only' || !changesWorkspace(t)),
        toolMode: record.toolMode,
        sandbox: () => {
          throw new Error('the flywheel never runs code')
        },
        stubs,
        limits: DEFAULT_CODE_LIMITS,
      })
      kits.set(key, kit)
    }
    const systemPrompt = buildSystemPrompt({
      cwd: record.cwd,
      mode: record.mode,
      hasTools: kit.schemas.length > 0,
      ...(kit.code
        ? { code: { limits: DEFAULT_CODE_LIMITS, jsonToolsToo: record.toolMode === 'both' } }
        : {}),
      listing: kit.listing,
    })
    return {
      systemPrompt,
      tools: kit.schemas.map(definition),
      reachable: new Map(kit.registry.modelSchemas().map((s) => [s.name, definition(s)])),
    }
  }
}

function definition(schema: ToolSchema): ToolDefinition {
  return {
    type: 'function',
    function: { name: schema.name, description: schema.description, parameters: schema.parameters },
  }
}
