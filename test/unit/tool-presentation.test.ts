import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createToolHelp } from '../../src/codemode/tool-help.js'
import { listingLines, presentTools } from '../../src/session/tool-presentation.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import { createCallTool } from '../../src/tools/call-tool.js'
import { CORE_TOOLS } from '../../src/tools/core.js'
import { defineTool, type Tool } from '../../src/tools/define.js'
import { compactSchema, toModelSchema } from '../../src/tools/registry.js'

const fake = (name: string, description = `Does the ${name} thing to a file.`): Tool =>
  defineTool({
    name,
    description,
    kind: 'other',
    permission: 'never',
    input: z.object({ path: z.string() }),
    output: z.object({}),
    run: async () => ({}),
  })

const helpers = (tools: readonly Tool[]) => ({
  executeCode: fake('execute_code'),
  toolHelp: createToolHelp({ tools, json: false }),
  callTool: createCallTool(tools),
})

describe('presenting tools per mode', () => {
  it('offers the core tools as JSON and lists each other tool once, in every mode', () => {
    const h = helpers(builtinTools)
    for (const mode of ['both', 'direct', 'code'] as const) {
      const { json, listed } = presentTools(builtinTools, mode, h)
      const jsonNames = json.map((t) => t.name)
      const listedNames = listed.map((t) => t.name)
      expect(
        jsonNames.filter((n) => listedNames.includes(n)),
        mode,
      ).toEqual([])
      for (const tool of builtinTools) expect([...jsonNames, ...listedNames], mode).toContain(tool.name)
      expect([...jsonNames, ...listedNames], mode).toContain('tool_help')
    }
    expect(presentTools(builtinTools, 'both', h).json.map((t) => t.name)).toEqual([
      ...builtinTools.filter((t) => CORE_TOOLS.has(t.name)).map((t) => t.name),
      'execute_code',
      'tool_help',
    ])
    expect(presentTools(builtinTools, 'direct', h).json.map((t) => t.name)).toContain('call_tool')
    expect(presentTools(builtinTools, 'code', h).json.map((t) => t.name)).toEqual(['execute_code'])
  })

  it('offers no discovery tools in direct mode when every tool is core', () => {
    const core = builtinTools.filter((t) => CORE_TOOLS.has(t.name))
    const { json, listed } = presentTools(core, 'direct', helpers(core))
    expect(json.map((t) => t.name)).toEqual(core.map((t) => t.name))
    expect(listed).toEqual([])
  })

  it('keeps a catalog of hundreds of tools behind tool_help: lines up to the budget, then names, then a count', () => {
    const catalog = Array.from({ length: 400 }, (_, i) => fake(`ide_tool_${i}`))
    const lines = listingLines(catalog)
    const bytes = lines.join('\n').length
    expect(bytes).toBeLessThanOrEqual(4096 + 800)
    expect(lines[0]).toBe('- ide_tool_0(path: str): Does the ide_tool_0 thing to a file.')
    expect(lines.at(-2)).toMatch(/^- also: ide_tool_\d+, /)
    expect(lines.at(-1)).toMatch(/^- and \d+ more: tool_help\(\) lists them all$/)
    expect(listingLines(builtinTools)).toHaveLength(builtinTools.length)
  })

  it('keeps a run-on description to one short line, cut at a word', () => {
    const [line] = listingLines([fake('wordy', `Does ${'very '.repeat(100)}many things (see. the docs.`)])
    expect(line?.length).toBeLessThanOrEqual(260)
    expect(line).toMatch(/^- wordy\(path: str\): Does very .*very… \(tool_help has the rest\)$/)
  })
})

describe('compact JSON schemas', () => {
  it('drop the safe-integer bounds and minLength 1 zod adds, keeping real bounds and descriptions', () => {
    const schema = z.toJSONSchema(
      z.object({
        n: z.number().int().min(1).describe('1-based'),
        s: z.string().min(1),
        t: z.string().min(2),
      }),
    ) as Record<string, unknown>
    expect(compactSchema(schema)).toMatchObject({
      properties: {
        n: { type: 'integer', minimum: 1, description: '1-based' },
        s: { type: 'string' },
        t: { type: 'string', minLength: 2 },
      },
    })
    const raw = JSON.stringify(builtinTools.map(toModelSchema))
    expect(raw).not.toContain(String(Number.MAX_SAFE_INTEGER))
    expect(raw).not.toContain('"minLength":1')
  })
})
