// Code Mode stubs made once per tool set, shared by every session offered the same tools: generating them walks
// every tool's schemas, and a new session would otherwise pay for it again on its first turn.
import type { Tool } from '../tools/define.js'
import { type ToolStubs, toolStubs } from './stubs.js'

export interface StubCache {
  /** The stubs of exactly these tool definitions, in this order. */
  stubs(tools: readonly Tool[]): ToolStubs
}

/** Tool sets remembered; a set that changes per session (an IDE catalog) drops the oldest. */
const MAX_TOOL_SETS = 16

export function createStubCache(make: (tools: readonly Tool[]) => ToolStubs = toolStubs): StubCache {
  // Keyed by the definitions themselves, not their names: IDE tools of the same name may differ in schema.
  const ids = new WeakMap<Tool, number>()
  const cache = new Map<string, ToolStubs>()
  let next = 0
  const idOf = (tool: Tool) => {
    let id = ids.get(tool)
    if (id === undefined) {
      id = next++
      ids.set(tool, id)
    }
    return id
  }
  return {
    stubs(tools) {
      const key = tools.map(idOf).join(',')
      const hit = cache.get(key)
      if (hit) {
        cache.delete(key)
        cache.set(key, hit)
        return hit
      }
      const made = make(tools)
      cache.set(key, made)
      if (cache.size > MAX_TOOL_SETS) cache.delete(cache.keys().next().value as string)
      return made
    },
  }
}
