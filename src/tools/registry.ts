// The set of tools a session offers, and the JSON schemas the model sees, derived from each definition.
import { z } from 'zod'
import type { ToolSchema } from '../model/types.js'
import type { Tool } from './define.js'

export interface ToolRegistry {
  get(name: string): Tool | undefined
  list(): readonly Tool[]
  modelSchemas(): ToolSchema[]
}

export function createRegistry(tools: readonly Tool[]): ToolRegistry {
  const byName = new Map<string, Tool>()
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`tool "${tool.name}" is defined twice`)
    byName.set(tool.name, tool)
  }
  let schemas: ToolSchema[] | undefined
  return {
    get: (name) => byName.get(name),
    list: () => tools,
    modelSchemas: () => {
      schemas ??= tools.map(toModelSchema)
      return schemas
    },
  }
}

export function toModelSchema(tool: Tool): ToolSchema {
  const parameters = inputJsonSchema(tool)
  return {
    name: tool.name,
    description: tool.description,
    parameters: tool.modelSchema ? parameters : compactSchema(parameters),
  }
}

/**
 * A schema without what zod adds but a model gains nothing from: the safe-integer bounds of `.int()` and the
 * `minLength: 1` of a required string. Validation still uses the zod schema, so nothing is loosened.
 */
export function compactSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue
    if (key === 'minLength' && value === 1) continue
    out[key] = compactValue(value)
  }
  return out
}

function compactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactValue)
  if (value && typeof value === 'object') return compactSchema(value as Record<string, unknown>)
  return value
}

/** The JSON schema of a tool's input, as the model and the `punie tools` listing see it. */
export function inputJsonSchema(tool: Tool): Record<string, unknown> {
  if (tool.modelSchema) return tool.modelSchema
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<
    string,
    unknown
  >
  return schema
}
