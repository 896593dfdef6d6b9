// `punie dataset generate` over a real workspace: every example's tool result is what the tool really returns
// there, the user's files are never touched, a seed gives the same examples, and the command's exit codes.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryExamples } from '../../src/core/dataset-examples.js'
import { type Example, exampleSchema, isDirectAnswer } from '../../src/dataset/example.js'
import { type GenerateOptions, generateExamples } from '../../src/dataset/templates-generate.js'
import { workspaceFacts } from '../../src/dataset/templates-workspace.js'
import { silentLogger } from '../../src/log/logger.js'
import type { ToolMode } from '../../src/tools/tool-mode.js'
import { BIN } from '../helpers/acp-harness.js'
import { needs } from '../helpers/needs.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)

const FILES: Record<string, string> = {
  'conftest.py': '# puts the root on sys.path for the tests\n',
  'shop/__init__.py': '',
  'shop/cart.py': [
    'class Cart:',
    '    def __init__(self) -> None:',
    '        self.items: list[tuple[str, float]] = []',
    '',
    '    def add_item(self, name: str, price: float) -> None:',
    '        self.items.append((name, price))',
    '',
    '    def total(self) -> float:',
    '        return sum(price for _, price in self.items)',
    '',
    '',
    'def parse_quantity(text: str) -> int:',
    '    return int(text.strip())',
    '',
  ].join('\n'),
  'shop/slugs.py': 'def slugify(text: str) -> str:\n    return "-".join(text.lower().split())\n',
  'tests/test_cart.py': [
    'from shop.cart import Cart, parse_quantity',
    'from shop.slugs import slugify',
    '',
    '',
    'def test_total():',
    '    cart = Cart()',
    '    cart.add_item("tea", 2.5)',
    '    assert cart.total() == 2.5',
    '',
    '',
    'def test_slugify():',
    '    assert slugify("Green Tea") == "green-tea"',
    '',
    '',
    'def test_parse_quantity_rejects_words():',
    '    assert parse_quantity("three") == 3',
    '',
  ].join('\n'),
}

let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = makeTempDir('punie-dataset-')
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir.path, path, '..'), { recursive: true })
    writeFileSync(join(dir.path, path), text)
  }
})
afterAll(() => dir.remove())

/** Every file and directory under `root` with its bytes: what "unchanged" means. */
function treeHash(root: string): string {
  const hash = createHash('sha256')
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name)
      hash.update(relative(root, path))
      if (statSync(path).isDirectory()) walk(path)
      else hash.update(readFileSync(path))
    }
  }
  walk(root)
  return hash.digest('hex')
}

async function generate(toolMode: ToolMode, options: Partial<GenerateOptions> = {}): Promise<Example[]> {
  const facts = await workspaceFacts(dir.path)
  const kit = await registryExamples({ root: dir.path, toolMode, logger: silentLogger, files: facts.files })
  const out: Example[] = []
  try {
    for await (const e of generateExamples(facts, kit.offer, kit.runner, {
      n: 12,
      seed: 1,
      directShare: 0,
      ...options,
    }))
      out.push(e)
  } finally {
    await kit.close()
  }
  return out
}

const toolResult = (e: Example) => {
  const m = e.messages.find((x) => x.role === 'tool')
  return m?.role === 'tool' ? m.content : ''
}
const callArgs = (e: Example) => {
  const m = e.messages.find((x) => x.role === 'assistant' && x.tool_calls)
  return m?.role === 'assistant' ? JSON.parse(m.tool_calls?.[0]?.function.arguments ?? '{}') : {}
}
const answer = (e: Example) => String(e.messages.at(-1)?.content ?? '')

describe('punie dataset generate: examples from the tool registry', () => {
  it('finds the workspace files, tests and the functions and classes tree-sitter parses', async () => {
    const facts = await workspaceFacts(dir.path)
    expect(facts.pythonFiles).toContain('shop/cart.py')
    expect(facts.testFiles).toEqual(['tests/test_cart.py'])
    expect(facts.symbols.map((s) => `${s.kind} ${s.name} ${s.file}:${s.line}`)).toEqual(
      expect.arrayContaining(['class Cart shop/cart.py:1', 'function parse_quantity shop/cart.py:12']),
    )
  })

  it("gives each read-only tool's example its real result, and an answer stating facts from it", async () => {
    const examples = await generate('direct', {
      n: 24,
      tools: ['read_file', 'grep', 'glob', 'list_dir', 'find_pattern'],
    })
    const seen = new Set(examples.map((e) => e.metadata?.category))
    expect([...seen].sort()).toEqual(['find_pattern', 'glob', 'grep', 'list_dir', 'read_file'])
    for (const e of examples) {
      expect(exampleSchema.safeParse(e).success).toBe(true)
      const args = callArgs(e)
      const result = toolResult(e)
      switch (e.metadata?.category) {
        case 'read_file': {
          const lines = (FILES[args.path] ?? '').split('\n')
          const from = (args.line ?? 1) - 1
          const expected = lines.slice(from, from + (args.limit ?? 10_000)).join('\n')
          expect(result.startsWith(expected)).toBe(true)
          expect(answer(e)).toContain(args.path)
          break
        }
        case 'grep': {
          const hits = result.split('\n').filter((l) => /^[^:]+:\d+: /.test(l))
          expect(hits.length).toBeGreaterThan(0)
          for (const hit of hits) {
            const [, path, line, text] = /^([^:]+):(\d+): (.*)$/.exec(hit) as RegExpExecArray
            expect(FILES[path as string]?.split('\n')[Number(line) - 1]).toBe(text)
          }
          break
        }
        case 'glob':
          for (const path of result.split('\n')) expect(Object.keys(FILES)).toContain(path)
          expect(answer(e)).toMatch(/^\d+ files? match/)
          break
        case 'list_dir':
          expect(result.length).toBeGreaterThan(0)
          break
        case 'find_pattern':
          for (const hit of result.split('\n')) {
            const [, path, line] = /^([^:]+):(\d+):/.exec(hit) as RegExpExecArray
            expect(FILES[path as string]?.split('\n')[Number(line) - 1]).toMatch(/^\s*(def|class) /)
          }
          break
      }
    }
  })

  it('makes a two-step task two JSON calls in direct mode, the second from the first one’s real result, and one snippet in code mode', {
    timeout: 60_000,
  }, async () => {
    const direct = await generate('direct', { n: 40, tools: ['grep'] })
    const twoStep = direct.find((e) => e.metadata?.id?.startsWith('registry/definition-code/'))
    if (!twoStep) throw new Error('no definition-code example')
    const calls = twoStep.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
    expect(calls.map((c) => c.function.name)).toEqual(['grep', 'read_file'])
    const hit = /^([^:]+):(\d+): /.exec(toolResult(twoStep)) as RegExpExecArray
    expect(JSON.parse(calls[1]?.function.arguments ?? '{}')).toMatchObject({
      path: hit[1],
      line: Number(hit[2]),
    })
    const code = await generate('code', { n: 40, tools: ['grep'] })
    const snippet = code.find((e) => e.metadata?.id?.startsWith('registry/definition-code/'))
    expect(snippet && toolResult(snippet)).toMatch(/\(2 tool calls\)$/)
    expect(answer(snippet as Example)).toBe(answer(twoStep))
  })

  needs('pytest').it(
    "runs pytest for run_tests and answers with the run's real counts and failing test",
    { timeout: 60_000 },
    async () => {
      const examples = await generate('direct', { n: 3, tools: ['run_tests'] })
      const all = examples.find((e) => e.metadata?.id?.startsWith('registry/run-tests-all/'))
      expect(all).toBeDefined()
      expect(toolResult(all as Example)).toMatch(/^2 passed, 1 failed, 0 errors, 0 skipped/)
      expect(answer(all as Example)).toContain('test_parse_quantity_rejects_words')
    },
  )

  it('never changes the workspace: edits, tests and type checks run on a temporary copy', {
    timeout: 120_000,
  }, async () => {
    const before = treeHash(dir.path)
    const examples = await generate('both', { n: 20, directShare: 0.2 })
    expect(treeHash(dir.path)).toBe(before)
    const edit = examples.find((e) => e.metadata?.category === 'edit_file')
    expect(edit && toolResult(edit)).toMatch(/^Edited .+: \d+ replacements?$/)
  })

  it('gives the same examples for the same seed, and others for another seed', {
    timeout: 60_000,
  }, async () => {
    const tools = ['read_file', 'grep', 'glob', 'list_dir', 'find_pattern', 'write_file', 'edit_file']
    const a = await generate('both', { n: 10, seed: 5, directShare: 0.3, tools })
    const b = await generate('both', { n: 10, seed: 5, directShare: 0.3, tools })
    const c = await generate('both', { n: 10, seed: 6, directShare: 0.3, tools })
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a))
  })

  it('keeps the direct share asked for', async () => {
    const tools = ['read_file', 'grep']
    const some = await generate('direct', { n: 20, directShare: 0.3, tools })
    expect(some).toHaveLength(20)
    expect(some.filter(isDirectAnswer)).toHaveLength(6)
    for (const e of some.filter(isDirectAnswer)) expect(e.metadata?.category).toBe('direct')
    const none = await generate('direct', { n: 8, directShare: 0, tools })
    expect(none.filter(isDirectAnswer)).toHaveLength(0)
  })

  it('writes the Code Mode form as one execute_code snippet that ran in the sandbox', {
    timeout: 60_000,
  }, async () => {
    const examples = await generate('code', { n: 6, tools: ['read_file', 'grep', 'find_pattern'] })
    expect(examples.length).toBe(6)
    for (const e of examples) {
      expect(e.tools?.map((t) => t.function.name)).toEqual(['execute_code'])
      expect(e.metadata?.toolMode).toBe('code')
      const { code } = callArgs(e)
      expect(code).toMatch(/^(result|found) = (read_file|grep|find_pattern)\(/)
      expect(toolResult(e)).toMatch(/^\(no output\)\nResult: [{[].*[}\]]\n\(\d tool calls?\)$/s)
    }
    const read = examples.find((e) => e.metadata?.id?.startsWith('registry/read-file/'))
    if (read) {
      const result = JSON.parse(toolResult(read).split('\n')[1]?.slice('Result: '.length) ?? '{}')
      expect(FILES[result.path]).toContain(result.content)
    }
  })
})

describe('punie dataset generate (the command)', () => {
  it('writes N examples to a file, with progress on stderr, and exits 0', { timeout: 60_000 }, async () => {
    const out = join(dir.path, '..', `${relative(join(dir.path, '..'), dir.path)}-out.jsonl`)
    const { stderr } = await run(process.execPath, [
      BIN,
      'dataset',
      'generate',
      '--workspace',
      dir.path,
      '-n',
      '5',
      '--seed',
      '2',
      '--tool-mode',
      'code',
      '--only',
      'read_file,grep',
      '-o',
      out,
    ])
    const lines = readFileSync(out, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(5)
    for (const line of lines) expect(exampleSchema.safeParse(JSON.parse(line)).success).toBe(true)
    expect(stderr).toContain('generate: 5/5')
    expect(stderr).toMatch(/wrote 5 examples/)
  })

  it('exits 2 for a usage error and 1 when fewer examples could be made', { timeout: 60_000 }, async () => {
    const usage = await run(process.execPath, [
      BIN,
      'dataset',
      'generate',
      '--workspace',
      join(dir.path, 'nope'),
    ]).catch((e: { code: number; stderr: string }) => e)
    expect((usage as { code: number }).code).toBe(2)
    expect((usage as { stderr: string }).stderr).toContain('--workspace')
    const badMode = await run(process.execPath, [
      BIN,
      'dataset',
      'generate',
      '--workspace',
      dir.path,
      '--tool-mode',
      'json',
    ]).catch((e: { code: number }) => e)
    expect((badMode as { code: number }).code).toBe(2)
    const badOut = await run(process.execPath, [
      BIN,
      'dataset',
      'generate',
      '--workspace',
      dir.path,
      '-o',
      join(dir.path, 'no', 'such', 'dir', 'out.jsonl'),
    ]).catch((e: { code: number; stderr: string }) => e)
    expect((badOut as { code: number }).code).toBe(2)
    expect((badOut as { stderr: string }).stderr).toContain('cannot write in')
    const empty = makeTempDir('punie-dataset-empty-')
    try {
      const fewer = await run(process.execPath, [
        BIN,
        'dataset',
        'generate',
        '--workspace',
        empty.path,
        '-n',
        '3',
        '--direct-share',
        '0',
        '--only',
        'read_file',
      ]).catch((e: { code: number; stderr: string }) => e)
      expect((fewer as { code: number }).code).toBe(1)
      expect((fewer as { stderr: string }).stderr).toContain('the workspace has nothing for it')
    } finally {
      empty.remove()
    }
  })
})
