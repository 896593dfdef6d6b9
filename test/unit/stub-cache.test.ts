import { describe, expect, it } from 'vitest'
import { createStubCache } from '../../src/codemode/stub-cache.js'
import { type ToolStubs, toolStubs } from '../../src/codemode/stubs.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import type { Tool } from '../../src/tools/define.js'

function countingCache() {
  const made: (readonly Tool[])[] = []
  const cache = createStubCache((tools): ToolStubs => {
    made.push(tools)
    return toolStubs(tools)
  })
  return { cache, made }
}

describe('Code Mode stubs by tool set', () => {
  it('makes the stubs of one tool set once, for every session that offers it', () => {
    const { cache, made } = countingCache()
    const first = cache.stubs(builtinTools)
    const again = cache.stubs([...builtinTools])
    expect(again).toBe(first)
    expect(made).toHaveLength(1)
    expect(first.typeCheckPrefix).toBe(toolStubs(builtinTools).typeCheckPrefix)
  })

  it('makes them again for another set, or for same-named tools defined otherwise', () => {
    const { cache, made } = countingCache()
    const [read, ...rest] = builtinTools as [Tool, ...Tool[]]
    cache.stubs(builtinTools)
    cache.stubs(rest)
    const renamed = { ...read, description: 'Read a file through the IDE' }
    const fromIde = cache.stubs([renamed, ...rest])
    expect(made).toHaveLength(3)
    expect(fromIde.typeCheckPrefix).toContain('Read a file through the IDE')
  })

  it('remembers at most 16 tool sets, dropping the least recently used', () => {
    const { cache, made } = countingCache()
    const sets = Array.from({ length: 17 }, (_, i) => builtinTools.slice(0, i + 1))
    cache.stubs(sets[0] as Tool[])
    for (const set of sets.slice(1)) cache.stubs(set)
    expect(made).toHaveLength(17)
    cache.stubs(sets[16] as Tool[])
    expect(made).toHaveLength(17)
    cache.stubs(sets[0] as Tool[])
    expect(made).toHaveLength(18)
  })
})
