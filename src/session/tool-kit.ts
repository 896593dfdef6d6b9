// The tools of a turn, built from the session's tools and its tool mode: the JSON tools offered, the prompt's
// one-line listing of the rest, and a registry that holds every tool (so a forbidden call is refused by the
// policy, with its reason) plus execute_code, tool_help and call_tool.
import { type CodeModeLimits, createExecuteCode } from '../codemode/execute-code.js'
import type { CodeSandbox } from '../codemode/sandbox.js'
import type { StubCache } from '../codemode/stub-cache.js'
import { createToolHelp } from '../codemode/tool-help.js'
import type { ToolSchema } from '../model/types.js'
import { createCallTool } from '../tools/call-tool.js'
import type { Tool } from '../tools/define.js'
import { createRegistry, type ToolRegistry } from '../tools/registry.js'
import type { ToolMode } from '../tools/tool-mode.js'
import { listingLines, presentTools } from './tool-presentation.js'

export interface ToolKit {
  all: readonly Tool[]
  tools: readonly Tool[]
  toolMode: ToolMode
  registry: ToolRegistry
  /** The JSON tools offered. */
  schemas: ToolSchema[]
  /** The other tools, one line each in the prompt. */
  listing: { lines: string[]; via: 'code' | 'call_tool' }
  code: boolean
}

export interface ToolKitInput {
  /** Every tool of the session's surface. */
  all: readonly Tool[]
  /** Those the session's mode allows. */
  allowed: readonly Tool[]
  toolMode: ToolMode
  sandbox: () => CodeSandbox
  stubs: StubCache
  limits: CodeModeLimits
}

export function buildToolKit({ all, allowed, toolMode, sandbox, stubs, limits }: ToolKitInput): ToolKit {
  const toolHelp = createToolHelp({ tools: allowed, json: toolMode === 'direct' })
  const callTool = createCallTool(allowed)
  const functions = [...allowed, toolHelp]
  // Direct mode has no execute_code, and pays nothing for the stubs.
  const executeCode =
    toolMode === 'direct'
      ? undefined
      : createExecuteCode({ sandbox, tools: functions, stubs: stubs.stubs(functions), limits })
  const helpers = { toolHelp, callTool, ...(executeCode ? { executeCode } : {}) }
  const registry = createRegistry([...all, ...(executeCode ? [executeCode] : []), toolHelp, callTool])
  const presentation = presentTools(allowed, toolMode, helpers)
  const offered = new Set(presentation.json.map((t) => t.name))
  return {
    all,
    tools: allowed,
    toolMode,
    registry,
    schemas: registry.modelSchemas().filter((s) => offered.has(s.name)),
    listing: { lines: listingLines(presentation.listed), via: presentation.via },
    code: executeCode !== undefined,
  }
}

/** Whether a kit built before still serves: the same tool definitions, allowed set and tool mode. */
export function kitFits(
  kit: ToolKit,
  all: readonly Tool[],
  allowed: readonly Tool[],
  toolMode: ToolMode,
): boolean {
  return kit.toolMode === toolMode && sameTools(kit.all, all) && sameTools(kit.tools, allowed)
}

function sameTools(a: readonly Tool[], b: readonly Tool[]): boolean {
  return a.length === b.length && a.every((tool, i) => tool === b[i])
}
