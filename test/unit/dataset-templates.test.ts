// The curated set in datasets/ checked against the example schema and the tools Punie offers today, and kept in
// step with the tool definitions; plus the pure parts of the registry templates.
import { resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { parameterOrder } from '../../src/codemode/stubs.js'
import { registryExamples } from '../../src/core/dataset-examples.js'
import type { Example } from '../../src/dataset/example.js'
import { readExamples } from '../../src/dataset/read-examples.js'
import { fill, listed, seededRng, TASK_TEMPLATES } from '../../src/dataset/templates.js'
import { codeForCall, pythonLiteral } from '../../src/dataset/templates-code.js'
import { formFor } from '../../src/dataset/templates-generate.js'
import { silentLogger } from '../../src/log/logger.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import { inputJsonSchema } from '../../src/tools/registry.js'
import type { ToolMode } from '../../src/tools/tool-mode.js'

const REPO = resolve(import.meta.dirname, '../..')
const SAMPLE = resolve(REPO, 'datasets/punie-tools-sample.jsonl')
const WORKSPACE = resolve(REPO, 'datasets/workspace')
const REGENERATE =
  'npm run build && sh datasets/regenerate.sh (then read the diff of datasets/ before committing)'

async function sample(): Promise<{ line: number; example: Example }[]> {
  const out: { line: number; example: Example }[] = []
  for await (const entry of readExamples(SAMPLE)) {
    if (!entry.ok) throw new Error(`${SAMPLE}:${entry.line}: ${entry.problems.join('; ')}`)
    out.push({ line: entry.line, example: entry.example })
  }
  return out
}

const modeOf = (e: Example) => e.metadata?.punieToolMode as ToolMode

/** The tool functions a generated snippet calls, and the keyword arguments it passes. */
function codeCalls(code: string): { names: string[]; keywords: string[] } {
  const known = new Set(builtinTools.map((t) => t.name))
  const names = [...code.matchAll(/\b([a-z_]+)\(/g)].map((m) => m[1] as string).filter((n) => known.has(n))
  // Generated snippets assign with ` = ` and pass keywords as `name=`.
  const keywords = [...code.matchAll(/\b([a-z_]+)=(?!=)/g)].map((m) => m[1] as string)
  return { names, keywords }
}

describe('the curated set datasets/punie-tools-sample.jsonl', () => {
  it('passes the example schema, and every call names an offered tool with arguments its schema accepts', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    const examples = await sample()
    expect(examples.length).toBeGreaterThanOrEqual(36)
    const problems: string[] = []
    for (const { line, example } of examples) {
      const where = `${SAMPLE}:${line}`
      const offered = new Map(
        (example.tools ?? []).map((t) => [t.function.name, t.function.parameters ?? {}]),
      )
      const [system, user, ...rest] = example.messages
      if (system?.role !== 'system' || user?.role !== 'user')
        problems.push(`${where}: not system, user first`)
      const last = rest.at(-1)
      if (last?.role !== 'assistant' || !last.content?.trim()) problems.push(`${where}: no final answer`)
      for (const [i, m] of rest.entries()) {
        if (m.role !== 'assistant' || !m.tool_calls) continue
        for (const call of m.tool_calls) {
          const schema = offered.get(call.function.name)
          if (!schema) {
            problems.push(`${where}: calls ${call.function.name}, not among the example's tools`)
            continue
          }
          const args = JSON.parse(call.function.arguments) as Record<string, unknown>
          const validate = ajv.compile(schema)
          if (!validate(args))
            problems.push(`${where}: ${call.function.name}: ${ajv.errorsText(validate.errors)}`)
          const answer = rest[i + 1]
          if (answer?.role !== 'tool' || answer.tool_call_id !== call.id || !answer.content)
            problems.push(`${where}: no tool result for ${call.id}`)
          // The tool inside call_tool or execute_code is one the session has, with its own parameters.
          if (call.function.name === 'call_tool') {
            const inner = builtinTools.find((t) => t.name === args.name)
            if (!inner) problems.push(`${where}: call_tool names ${String(args.name)}`)
            else {
              const check = ajv.compile(inputJsonSchema(inner))
              if (!check(args.arguments ?? {}))
                problems.push(`${where}: ${inner.name} via call_tool: ${ajv.errorsText(check.errors)}`)
            }
          }
          if (call.function.name === 'execute_code') {
            const { names, keywords } = codeCalls(String(args.code))
            if (!names.length) problems.push(`${where}: the code calls no tool function`)
            const inner = builtinTools.filter((t) => names.includes(t.name))
            for (const k of keywords)
              if (!inner.some((t) => parameterOrder(t).includes(k)))
                problems.push(`${where}: no function the code calls has a parameter ${k}`)
            if (answer?.role !== 'tool' || !/\(\d+ tool calls?\)$/.test(answer.content))
              problems.push(`${where}: the snippet's result is not one the sandbox returned`)
          }
        }
      }
      if (!example.metadata?.id?.startsWith('registry/')) problems.push(`${where}: metadata.id`)
      if (!['direct', 'code'].includes(example.metadata?.toolMode ?? ''))
        problems.push(`${where}: metadata.toolMode`)
    }
    expect(problems).toEqual([])
  })

  it('holds every tool mode, each with about 30% direct answers and the form that mode reaches each tool in', async () => {
    const examples = (await sample()).map((s) => s.example)
    for (const mode of ['both', 'direct', 'code'] as const) {
      const own = examples.filter((e) => modeOf(e) === mode)
      expect(own.length).toBeGreaterThan(0)
      const direct = own.filter((e) => e.metadata?.category === 'direct').length
      expect(Math.abs(direct / own.length - 0.3)).toBeLessThanOrEqual(0.05)
      for (const e of own) {
        const call = e.messages.find((m) => m.role === 'assistant' && m.tool_calls)
        if (call?.role !== 'assistant') continue
        const name = call.tool_calls?.[0]?.function.name
        const offer = { toolMode: mode, systemPrompt: '', tools: e.tools ?? [], all: builtinTools }
        const template = TASK_TEMPLATES.find((t) => e.metadata?.id?.startsWith(`registry/${t.id}/`))
        // Several steps are one snippet wherever execute_code is offered.
        const form =
          template?.next && mode !== 'direct' ? 'code' : formFor(offer, String(e.metadata?.category))
        expect(name).toBe(
          form === 'json' ? e.metadata?.category : form === 'code' ? 'execute_code' : 'call_tool',
        )
      }
    }
  })

  it('offers exactly the tools and system prompt the generator derives from the tool definitions today', async () => {
    const examples = (await sample()).map((s) => s.example)
    for (const mode of ['both', 'direct', 'code'] as const) {
      const kit = await registryExamples({
        root: WORKSPACE,
        toolMode: mode,
        displayRoot: '/workspace',
        logger: silentLogger,
      })
      await kit.close()
      for (const e of examples.filter((x) => modeOf(x) === mode)) {
        expect(
          e.tools,
          `the curated set is out of step with the tool definitions (${mode} mode: tools); regenerate it: ${REGENERATE}`,
        ).toEqual(kit.offer.tools)
        expect(
          e.messages[0]?.content,
          `the curated set is out of step with the system prompt (${mode} mode); regenerate it: ${REGENERATE}`,
        ).toBe(kit.offer.systemPrompt)
      }
    }
  })
})

describe('registry templates, pure parts', () => {
  it('a seed gives the same choices, another seed others', () => {
    const draw = (seed: number) => {
      const rng = seededRng(seed)
      return Array.from({ length: 20 }, () => rng.int(1000))
    }
    expect(draw(7)).toEqual(draw(7))
    expect(draw(7)).not.toEqual(draw(8))
    const shuffled = seededRng(3).shuffle([1, 2, 3, 4, 5, 6])
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('fills prompt templates and lists names in prose', () => {
    expect(fill('Where is {symbol} defined in {path}?', { symbol: 'parse', path: 'a.py' })).toBe(
      'Where is parse defined in a.py?',
    )
    expect(fill('{unknown} stays', {})).toBe('{unknown} stays')
    expect(listed(['a'])).toBe('a')
    expect(listed(['a', 'b', 'c'])).toBe('a, b and c')
    expect(listed(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more')
  })

  it('writes a Code Mode call with the stub parameter names, and Python literals for JSON values', () => {
    expect(pythonLiteral({ a: [true, false, null, 1.5, 'x"y'] })).toBe(
      '{"a": [True, False, None, 1.5, "x\\"y"]}',
    )
    const read = builtinTools.find((t) => t.name === 'read_file')
    if (!read) throw new Error('no read_file')
    expect(parameterOrder(read)).toContain('limit')
    expect(codeForCall(read, { limit: 5, path: 'a.py' })).toBe(
      'result = read_file(path="a.py", limit=5)\nresult',
    )
    expect(() => codeForCall(read, { file: 'a.py' })).toThrow(/no parameter file/)
  })
})
