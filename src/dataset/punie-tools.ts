// The tools Punie offers today, as a validate catalog: the built-in registry plus Code Mode's execute_code, with
// the same JSON schemas the model is shown. Loaded only for `--tools-from punie` (the registry is large).
import { createExecuteCode, DEFAULT_CODE_LIMITS } from '../codemode/execute-code.js'
import { toolStubs } from '../codemode/stubs.js'
import { builtinTools } from '../tools/builtin/index.js'
import { inputJsonSchema } from '../tools/registry.js'
import type { ToolCatalog } from './validate.js'

export function punieToolCatalog(): ToolCatalog {
  const executeCode = createExecuteCode({
    sandbox: () => {
      throw new Error('a catalog never runs code')
    },
    tools: builtinTools,
    stubs: toolStubs([]),
    limits: DEFAULT_CODE_LIMITS,
  })
  return new Map([...builtinTools, executeCode].map((t) => [t.name, inputJsonSchema(t)]))
}

/**
 * A catalog from a JSON file: OpenAI tool definitions (`[{type: 'function', function: {name, parameters}}]`)
 * or `punie tools --json` output (`[{name, inputSchema}]`). Throws an Error naming what is wrong.
 */
export function catalogFromJson(value: unknown): ToolCatalog {
  const list = Array.isArray(value) ? value : (value as { tools?: unknown })?.tools
  if (!Array.isArray(list)) throw new Error('expected a JSON array of tool definitions')
  const catalog = new Map<string, Record<string, unknown> | undefined>()
  list.forEach((item, i) => {
    const t = item as {
      function?: { name?: unknown; parameters?: unknown }
      name?: unknown
      inputSchema?: unknown
    }
    const name = t.function?.name ?? t.name
    if (typeof name !== 'string' || !name) throw new Error(`tool ${i + 1} has no name`)
    const schema = t.function ? t.function.parameters : t.inputSchema
    catalog.set(name, schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined)
  })
  return catalog
}
