// The Code Mode form of a task: the same tool call as one execute_code snippet, calling the tool as the
// function its stub declares (the same parameter names, in the stub's order, as keywords). Pure.
import { parameterOrder } from '../codemode/stubs.js'
import type { Tool } from '../tools/define.js'

/** A Python literal for a JSON value; JSON's string escapes are valid in Python strings too. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None'
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`)
      .join(', ')}}`
  return 'None'
}

/** `result = tool(a=..., b=...)` then `result`: the snippet returns the tool's typed result as its value. */
export function codeForCall(tool: Tool, args: Record<string, unknown>): string {
  const params = parameterOrder(tool)
    .filter((name) => args[name] !== undefined)
    .map((name) => `${name}=${pythonLiteral(args[name])}`)
  const unknown = Object.keys(args).filter((k) => !parameterOrder(tool).includes(k))
  if (unknown.length) throw new Error(`${tool.name} has no parameter ${unknown.join(', ')}`)
  return `result = ${tool.name}(${params.join(', ')})\nresult`
}
