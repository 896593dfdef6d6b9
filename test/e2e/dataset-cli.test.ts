// `punie dataset validate|stats|filter|split|dedup|merge|sample` through the binary, on files the tests write:
// each planted problem found on its line, the exit codes 0/1/2, --json, and the transforms' guarantees.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/acp-harness.js'
import { makeTempDir } from '../helpers/temp.js'

let dir: { path: string; remove: () => void }
beforeEach(() => {
  dir = makeTempDir('punie-dataset-')
})
afterEach(() => dir.remove())

const punie = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'dataset', ...args], { cwd: dir.path, encoding: 'utf8', timeout: 15_000 })

const write = (name: string, lines: readonly (object | string)[]) => {
  writeFileSync(
    join(dir.path, name),
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  )
  return name
}
const read = (name: string) =>
  readFileSync(join(dir.path, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messages: { content?: string }[]; metadata?: Record<string, unknown> })

const READ_TOOL = {
  type: 'function',
  function: {
    name: 'read_file',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' } },
      required: ['path'],
      additionalProperties: false,
    },
  },
}
const call = (id: string, name: string, args: string) => ({
  id,
  type: 'function',
  function: { name, arguments: args },
})
const user = (content: string) => ({ role: 'user', content })
const answer = (content: string) => ({ role: 'assistant', content })
const calls = (...c: object[]) => ({ role: 'assistant', tool_calls: c })
const result = (id: string, content = 'ok') => ({ role: 'tool', tool_call_id: id, content })
const withTools = (...messages: object[]) => ({ messages, tools: [READ_TOOL] })

describe('punie dataset validate', () => {
  const planted = () =>
    write('planted.jsonl', [
      withTools(user('read a'), calls(call('c1', 'read_file', '{"path":"a"}')), result('c1'), answer('done')),
      { messages: [{ role: 'robot', content: 'x' }] },
      withTools(
        { role: 'system', content: 's' },
        user('q'),
        { role: 'system', content: 'late' },
        answer('a'),
      ),
      withTools(user('q'), calls(call('c1', 'delete_everything', '{}')), result('c1'), answer('a')),
      withTools(
        user('q'),
        calls(call('c1', 'read_file', '{"path":"a"}'), call('c2', 'read_file', '{"path":"b"}')),
        result('c1'),
        answer('a'),
      ),
      withTools(user('q'), answer('a'), result('c7'), answer('b')),
      withTools(
        user('q'),
        calls(call('c1', 'read_file', '{"path":"a"}')),
        result('c1'),
        result('c1'),
        answer('a'),
      ),
      withTools(user('q'), calls(call('c1', 'read_file', '{path: a}')), result('c1'), answer('a')),
      withTools(user('q'), calls(call('c1', 'read_file', '{"file":"a"}')), result('c1'), answer('a')),
      withTools(user('q'), calls(call('c1', 'read_file', '{"path":"a"}')), result('c1'), answer('  ')),
      '',
      withTools(user('x'.repeat(3000)), answer('a')),
      withTools(
        user('q'),
        calls(call('c1', 'read_file', '{"path":"a"}')),
        answer('wait'),
        result('c1'),
        answer('a'),
      ),
    ])

  it('reports every planted problem with its line, as JSON, and exits 1', () => {
    planted()
    const run = punie('validate', 'planted.jsonl', '--max-tokens', '300', '--json')
    expect(run.status).toBe(1)
    const out = JSON.parse(run.stdout) as {
      problems: { file: string; line: number; kind: string; message: string }[]
      summary: { examples: number; valid: number; invalid: number }
    }
    const kinds = (line: number) =>
      [...new Set(out.problems.filter((p) => p.line === line).map((p) => p.kind))].sort()
    expect(kinds(1)).toEqual([])
    expect(kinds(2)).toEqual(['schema'])
    expect(kinds(3)).toEqual(['roles'])
    expect(kinds(4)).toEqual(['unknown-tool'])
    expect(kinds(5)).toEqual(['unanswered-call'])
    expect(out.problems.find((p) => p.line === 5)?.message).toContain('c2')
    expect(kinds(6)).toEqual(['orphan-result'])
    expect(kinds(7)).toEqual(['duplicate-result'])
    expect(kinds(8)).toEqual(['bad-arguments'])
    expect(out.problems.find((p) => p.line === 8)?.message).toContain('not JSON')
    expect(kinds(9)).toEqual(['bad-arguments'])
    expect(out.problems.find((p) => p.line === 9)?.message).toMatch(/path/)
    expect(kinds(10)).toEqual(['empty-answer'])
    expect(kinds(11)).toEqual([])
    expect(kinds(12)).toEqual(['too-long'])
    expect(kinds(13)).toEqual(['roles', 'unanswered-call'])
    expect(out.problems.every((p) => p.file === 'planted.jsonl')).toBe(true)
    expect(out.summary).toMatchObject({ examples: 12, valid: 1, invalid: 11 })
  })

  it('prints file:line for each problem and a summary line, and exits 0 on a clean file', () => {
    planted()
    const text = punie('validate', 'planted.jsonl', '--max-tokens', '300')
    expect(text.stdout).toContain('planted.jsonl:4: unknown-tool:')
    expect(text.stdout).toContain('planted.jsonl:12: too-long:')
    expect(text.stdout).toMatch(/12 examples in 1 file: 1 valid, 11 with problems/)
    expect(text.stderr).toMatch(/validate: .*12 lines/)
    write('clean.jsonl', [
      withTools(user('read a'), calls(call('c1', 'read_file', '{"path":"a"}')), result('c1'), answer('done')),
    ])
    const clean = punie('validate', 'clean.jsonl')
    expect(clean.status).toBe(0)
    expect(clean.stdout).toContain('1 examples in 1 file: 1 valid, 0 with problems')
  })

  it("checks calls against Punie's own tools with --tools-from punie", () => {
    write('punie.jsonl', [
      { messages: [user('q'), calls(call('c1', 'read_file', '{"path":"a.py"}')), result('c1'), answer('a')] },
      {
        messages: [
          user('q'),
          calls(call('c1', 'execute_code', '{"code":"print(1)"}')),
          result('c1'),
          answer('a'),
        ],
      },
      { messages: [user('q'), calls(call('c1', 'frobnicate', '{}')), result('c1'), answer('a')] },
      {
        messages: [user('q'), calls(call('c1', 'read_file', '{"line":2}')), result('c1'), answer('a')],
      },
    ])
    const out = JSON.parse(punie('validate', 'punie.jsonl', '--tools-from', 'punie', '--json').stdout) as {
      problems: { line: number; kind: string }[]
    }
    expect(out.problems.map((p) => [p.line, p.kind])).toEqual([
      [3, 'unknown-tool'],
      [4, 'bad-arguments'],
    ])
  })

  it('exits 2 for a missing file, a bad flag and a missing argument', () => {
    expect(punie('validate', 'nope.jsonl')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no such file: nope.jsonl'),
    })
    write('x.jsonl', [withTools(user('q'), answer('a'))])
    expect(punie('validate', 'x.jsonl', '--bogus').status).toBe(2)
    expect(punie('validate').status).toBe(2)
    expect(punie('validate', 'x.jsonl', '--max-tokens', 'many').status).toBe(2)
    expect(punie('filter', 'x.jsonl').status).toBe(2)
  })
})

describe('punie dataset stats', () => {
  it('counts a small file as computed by hand, and writes a self-contained HTML page', () => {
    write('train.jsonl', [
      { messages: [user('hello'), answer('hi there')], metadata: { category: 'chat', outcome: 'success' } },
      {
        messages: [
          user('read a.py'),
          calls(call('c1', 'read_file', '{"path":"a.py"}')),
          result('c1', 'x = 1'),
          answer('x is 1'),
        ],
        metadata: { category: 'read', outcome: 'success' },
      },
      {
        messages: [
          user('count'),
          calls(call('c1', 'execute_code', '{"code":"print(1)"}')),
          result('c1', '1'),
          answer('one'),
        ],
        metadata: { category: 'code', outcome: 'failure' },
      },
      { messages: [user('hey'), answer('yo')], metadata: { category: 'chat', outcome: 'success' } },
    ])
    const run = punie('stats', 'train.jsonl', '--json', '--html', 'stats.html')
    expect(run.status).toBe(0)
    const s = JSON.parse(run.stdout)
    expect(s.examples).toBe(4)
    expect(s.perFile).toEqual([{ file: 'train.jsonl', split: 'train', examples: 4 }])
    expect(s.messages.total).toBe(12)
    // Per message 4 + ceil(bytes / 3) of its text, name and arguments: 13, 31, 31 and 10.
    expect(s.tokens).toMatchObject({ total: 85, p50: 13, p95: 31, max: 31 })
    expect(s.tools).toEqual([
      { name: 'execute_code', calls: 1, examples: 1 },
      { name: 'read_file', calls: 1, examples: 1 },
    ])
    expect(s.directAnswers).toMatchObject({ count: 2, share: 0.5, farFromTarget: true })
    expect(s.toolModes).toEqual({ direct: 1, code: 1, none: 2 })
    expect(s.categories).toEqual({ chat: 2, code: 1, read: 1 })
    expect(s.outcomes).toEqual({ success: 3, failure: 1 })

    const html = readFileSync(join(dir.path, 'stats.html'), 'utf8')
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script|<link|https?:\/\//)
    // Every bar carries its value: the tool chart has one label per tool.
    expect(html.match(/>1\.00 calls</g)?.length).toBe(2)
    expect(html).toContain('>50.0 %<')

    const table = punie('stats', 'train.jsonl')
    expect(table.stdout).toMatch(/direct answers\s+2 \(50\.0%\)\s+⚠ far from the ~30\.0%/)
    expect(table.stdout).toMatch(/p50 13, p95 31, max 31/)
  })
})

describe('punie dataset filter', () => {
  const code = (text: string, category: string) => ({
    messages: [
      user('go'),
      calls(call('c1', 'execute_code', JSON.stringify({ code: text }))),
      result('c1'),
      answer('done'),
    ],
    metadata: { category },
  })
  const fence = (text: string, category: string) => ({
    messages: [user('show me'), answer(`Here:\n\n\`\`\`python\n${text}\n\`\`\`\n`)],
    metadata: { category },
  })
  const file = () =>
    write('code.jsonl', [
      code('match command:\n    case "go":\n        pass\n    case _:\n        pass', 'match'),
      fence('if (n := len(items)) > 3:\n    print(n)', 'walrus'),
      code('try:\n    run()\nexcept* ValueError as group:\n    pass', 'except-star'),
      fence('type Pair[T] = tuple[T, T]', 'type-alias'),
      code('x = 1\nprint(x)', 'plain'),
      fence('print "hello"', 'python2'),
      code('s = "match x: case 1"\n# type X = int, except* too\nmatch = 3', 'keywords-only'),
      {
        messages: [
          user('write it'),
          calls(
            call('c1', 'write_file', JSON.stringify({ path: 'src/a.ts', content: 'const a: number = 1' })),
          ),
          result('c1'),
          answer('done'),
        ],
        metadata: { category: 'typescript' },
      },
      { messages: [user('hi'), answer('hello')], metadata: { category: 'no-code' } },
      code('d = {"k": 1}\nprint(f"{d["k"]}")', 'fstring-nesting'),
      fence('def f(a, /, b):\n    return a', 'positional-only'),
    ])
  const kept = (...args: string[]) => {
    file()
    const run = punie('filter', 'code.jsonl', '-o', 'out.jsonl', '--json', ...args)
    expect(run.status).toBe(0)
    return read('out.jsonl').map((e) => e.metadata?.category)
  }

  it('keeps code that needs at least a Python version, from parsed syntax rather than keywords', () => {
    expect(kept('--python-version-min', '3.10')).toEqual([
      'match',
      'except-star',
      'type-alias',
      'fstring-nesting',
    ])
    expect(kept('--python-version-min', '3.12')).toEqual(['type-alias', 'fstring-nesting'])
  })

  it('keeps code that runs on a Python version (no newer syntax, no Python 2)', () => {
    expect(kept('--python-version-max', '3.9')).toEqual([
      'walrus',
      'plain',
      'keywords-only',
      'typescript',
      'no-code',
      'positional-only',
    ])
  })

  it('filters by named Python signals and by language', () => {
    expect(kept('--python-signals', 'walrus,positional-only')).toEqual(['walrus', 'positional-only'])
    expect(kept('--language', 'other')).toEqual(['typescript'])
    expect(kept('--language', 'none')).toEqual(['no-code'])
    expect(kept('--language', 'python')).toHaveLength(9)
  })

  it('filters by tool use, length, outcome and category, and reports what it dropped', () => {
    file()
    const run = punie('filter', 'code.jsonl', '-o', 'out.jsonl', '--tool-use', 'execute_code', '--json')
    expect(JSON.parse(run.stdout)).toMatchObject({ read: 11, kept: 5, dropped: { 'tool-use': 6 } })
    expect(kept('--tool-use', 'no')).toEqual([
      'walrus',
      'type-alias',
      'python2',
      'no-code',
      'positional-only',
    ])
    expect(kept('--max-tokens', '12')).toEqual(['no-code'])
    expect(kept('--category', 'plain')).toEqual(['plain'])
    expect(punie('filter', 'code.jsonl', '-o', 'o.jsonl', '--python-signals', 'nonsense').status).toBe(2)
  })
})

describe('punie dataset split', () => {
  const file = () =>
    write(
      'all.jsonl',
      Array.from({ length: 100 }, (_, i) => ({
        messages: [user(`question ${i}`), answer(`answer ${i}`)],
        metadata: { category: i % 5 < 3 ? 'a' : 'b' },
      })),
    )
  const split = (seed: string, out: string) => {
    const run = punie(
      'split',
      'all.jsonl',
      '--ratios',
      '0.8,0.1,0.1',
      '--seed',
      seed,
      '--stratify',
      'category',
      '-o',
      out,
      '--json',
    )
    expect(run.status).toBe(0)
    return JSON.parse(run.stdout)
  }
  const texts = (path: string) => read(path).map((e) => e.messages[0]?.content)

  it('gives each category its shares, covers every example once, and repeats itself for the same seed', () => {
    file()
    const first = split('7', 'one')
    expect(first.counts).toEqual({ train: 80, valid: 10, test: 10 })
    expect(first.strata).toEqual({ a: { train: 48, valid: 6, test: 6 }, b: { train: 32, valid: 4, test: 4 } })
    const all = ['train', 'valid', 'test'].flatMap((n) => texts(`one/${n}.jsonl`))
    expect(new Set(all).size).toBe(100)
    split('7', 'two')
    for (const n of ['train', 'valid', 'test'])
      expect(readFileSync(join(dir.path, `two/${n}.jsonl`), 'utf8')).toBe(
        readFileSync(join(dir.path, `one/${n}.jsonl`), 'utf8'),
      )
    split('8', 'three')
    expect(texts('three/test.jsonl')).not.toEqual(texts('one/test.jsonl'))
  })

  it('refuses ratios that do not sum to 1 with exit 2', () => {
    file()
    expect(punie('split', 'all.jsonl', '--ratios', '0.8,0.3', '-o', 'x').status).toBe(2)
  })
})

describe('punie dataset dedup', () => {
  it('drops exact and near duplicates and keeps a distinct pair', () => {
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`)
    const long = words.join(' ')
    const changed = [...words.slice(0, 90), 'different', ...words.slice(91)].join(' ')
    write('d.jsonl', [
      { messages: [user('hello world'), answer('hi')] },
      { messages: [user('hello   world '), answer('hi')] },
      { messages: [user(long), answer('ok')] },
      { messages: [user(changed), answer('ok')] },
      { messages: [user('the cat sat on the warm mat by the door'), answer('ok')] },
      { messages: [user('stock prices fell sharply in early trading on monday'), answer('ok')] },
    ])
    const exact = JSON.parse(punie('dedup', 'd.jsonl', '-o', 'e.jsonl', '--json').stdout)
    expect(exact).toMatchObject({ read: 6, kept: 5, exactDuplicates: 1, nearDuplicates: 0 })
    expect(exact.duplicates).toEqual([{ line: 2, of: 1, kind: 'exact', similarity: 1 }])
    const near = punie('dedup', 'd.jsonl', '-o', 'n.jsonl', '--near', '0.8', '--json')
    expect(near.status).toBe(0)
    const out = JSON.parse(near.stdout)
    expect(out).toMatchObject({ kept: 4, exactDuplicates: 1, nearDuplicates: 1 })
    expect(out.duplicates[1]).toMatchObject({ line: 4, of: 3, kind: 'near' })
    expect(out.duplicates[1].similarity).toBeGreaterThanOrEqual(0.8)
    expect(read('n.jsonl').map((e) => e.messages[0]?.content?.slice(0, 9))).toEqual([
      'hello wor',
      'word0 wor',
      'the cat s',
      'stock pri',
    ])
  })
})

describe('punie dataset merge', () => {
  it('records file:line as each example’s source and keeps a source already there', () => {
    write('a.jsonl', [{ messages: [user('one'), answer('1')] }, '', { messages: [user('two'), answer('2')] }])
    write('b.jsonl', [
      { messages: [user('three'), answer('3')], metadata: { source: 'session s1 turn 2', category: 'x' } },
    ])
    const run = punie('merge', 'a.jsonl', 'b.jsonl', '-o', 'all.jsonl')
    expect(run.status).toBe(0)
    expect(read('all.jsonl').map((e) => e.metadata)).toEqual([
      { source: 'a.jsonl:1' },
      { source: 'a.jsonl:3' },
      { source: 'session s1 turn 2', category: 'x' },
    ])
    expect(punie('merge', 'a.jsonl', '-o', 'a.jsonl').status).toBe(2)
  })
})

describe('punie dataset sample', () => {
  it('draws the same sample for the same seed, in file order, and keeps strata in proportion', () => {
    write(
      'all.jsonl',
      Array.from({ length: 50 }, (_, i) => ({
        messages: [user(`q${i}`), answer('a')],
        metadata: { category: i < 30 ? 'a' : 'b' },
      })),
    )
    const sample = (seed: string, out: string, ...more: string[]) => {
      const run = punie('sample', 'all.jsonl', '-n', '10', '--seed', seed, '-o', out, '--json', ...more)
      expect(run.status).toBe(0)
      return {
        result: JSON.parse(run.stdout),
        lines: read(out).map((e) => Number(e.messages[0]?.content?.slice(1))),
      }
    }
    const one = sample('3', 's1.jsonl')
    expect(one.lines).toHaveLength(10)
    expect([...one.lines].sort((a, b) => a - b)).toEqual(one.lines)
    expect(sample('3', 's2.jsonl').lines).toEqual(one.lines)
    expect(sample('4', 's3.jsonl').lines).not.toEqual(one.lines)
    const strat = sample('3', 's4.jsonl', '--stratify', 'category')
    expect(strat.result.perStratum).toEqual({ a: 6, b: 4 })
    expect(strat.lines.filter((n) => n < 30)).toHaveLength(6)
  })
})
