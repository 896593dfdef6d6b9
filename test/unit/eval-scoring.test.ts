// Scorers and statistics of the evaluation harness, on hand-made traces.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareRuns, comparisonText, suiteDifferences } from '../../src/eval/compare.js'
import { factFound, numbersIn } from '../../src/eval/facts.js'
import type { CaseResult } from '../../src/eval/runner.js'
import { scoreCase, valueMatches } from '../../src/eval/scorers.js'
import { aggregate, compareAggregates, wilson } from '../../src/eval/stats.js'
import { type EvalCase, type Expectations, problemText } from '../../src/eval/suite.js'
import { type CaseTrace, type TracedCall, traceFrom } from '../../src/eval/trace.js'
import { knownToolNames, suiteProblems } from '../../src/eval/validate.js'
import type { AgentEvent } from '../../src/session/events.js'
import { makeTempDir } from '../helpers/temp.js'

const evalCase = (expect: Expectations, passThreshold = 0.75): EvalCase => ({
  id: 'c',
  category: 'x',
  prompt: 'p',
  files: {},
  toolMode: 'both',
  timeoutMs: 1000,
  passThreshold,
  expect,
})

const trace = (calls: Partial<TracedCall>[], answer = ''): CaseTrace => ({
  calls: calls.map((c, i) => ({ id: `t${i}`, name: 'x', args: {}, ...c })),
  answer,
  modelRequests: 1,
  modelMs: 1,
  tokens: 0,
})

const context = { workspace: '/ws', before: {} }

describe('scorers', () => {
  it('scores tool selection as F1, crediting calls made from code unless execute_code itself is expected', async () => {
    const viaCode = trace([{ name: 'execute_code' }, { name: 'read_file', parentId: 't0' }])
    const wantsRead = await scoreCase(evalCase({ tools: ['read_file'] }), viaCode, context)
    expect(wantsRead.scores.tool_selection?.score).toBe(1)
    const wantsCode = await scoreCase(
      evalCase({ tools: ['execute_code'], code_calls: ['read_file', 'grep'] }),
      viaCode,
      context,
    )
    expect(wantsCode.scores.tool_selection?.score).toBe(1)
    expect(wantsCode.scores.code_calls?.score).toBe(0.5)
    const extra = await scoreCase(
      evalCase({ tools: ['read_file'] }),
      trace([{ name: 'read_file' }, { name: 'grep' }]),
      context,
    )
    expect(extra.scores.tool_selection?.score).toBeCloseTo(2 / 3)
  })

  it('judges a tool reached through call_tool as that tool, a plan as a call, and a tool_help look-up as neutral', async () => {
    const start = (toolCallId: string, name: string, input: unknown, parentToolCallId?: string) =>
      ({
        type: 'tool.start',
        sessionId: 's',
        seq: 0,
        ts: 0,
        turnId: 't',
        toolCallId,
        name,
        kind: 'other',
        title: name,
        locations: [],
        input,
        content: [],
        backend: 'local',
        ...(parentToolCallId ? { parentToolCallId } : {}),
      }) as unknown as AgentEvent
    const events = [
      start('a', 'tool_help', { names: ['list_dir'] }),
      start('b', 'call_tool', { name: 'list_dir', arguments: { path: 'data' } }),
      start('c', 'list_dir', { path: 'data' }, 'b'),
      start('d', 'execute_code', { code: 'call_tool("git_log")' }),
      start('e', 'call_tool', { name: 'git_log' }, 'd'),
      start('f', 'git_log', {}, 'e'),
      { type: 'plan', sessionId: 's', seq: 7, ts: 0, turnId: 't', entries: [] } as unknown as AgentEvent,
    ]
    const traced = traceFrom(events)
    expect(traced.calls.map((c) => [c.name, c.parentId])).toEqual([
      ['tool_help', undefined],
      ['list_dir', undefined],
      ['execute_code', undefined],
      ['git_log', 'd'],
      ['plan', undefined],
    ])
    const scores = await scoreCase(
      evalCase({
        tools: [{ name: 'list_dir', args: { path: 'data' } }, 'git_log', 'plan'],
        forbid: ['run_command'],
      }),
      traced,
      context,
    )
    expect(scores.scores.tool_selection?.score).toBe(1)
    expect(scores.scores.arguments?.score).toBe(1)
  })

  it('matches arguments exactly, by substring or regex, and paths in any spelling', () => {
    expect(valueMatches('./src/a.py', 'src/a.py', '/ws')).toBe(true)
    expect(valueMatches('/ws/src/a.py', 'src/a.py', '/ws')).toBe(true)
    expect(valueMatches('src/b.py', 'src/a.py', '/ws')).toBe(false)
    expect(valueMatches('TODO:', { contains: 'TODO' }, '/ws')).toBe(true)
    expect(valueMatches('test_x.py', { matches: '^test_.*\\.py$' }, '/ws')).toBe(true)
    expect(valueMatches(true, true, '/ws')).toBe(true)
    expect(valueMatches(undefined, { contains: '3' }, '/ws')).toBe(false)
    // A list argument (a plan's entries) is searched in its JSON text.
    expect(valueMatches([{ content: 'add --verbose' }], { contains: 'verbose' }, '/ws')).toBe(true)
    expect(valueMatches([{ content: 'add --quiet' }], { contains: 'verbose' }, '/ws')).toBe(false)
  })

  it('fails a case that calls a forbidden tool, whatever its other scores', async () => {
    const result = await scoreCase(
      evalCase({ tools: ['read_file'], forbid: ['write_file'], answer_contains: ['ok'] }, 0.5),
      trace([{ name: 'read_file' }, { name: 'write_file' }], 'ok'),
      context,
    )
    expect(result.scores.forbidden?.score).toBe(0)
    expect(result.score).toBeGreaterThan(0.5)
    expect(result.passed).toBe(false)
  })

  it('fails a case whose answer lacks a fact, however right its tools and arguments', async () => {
    const c = evalCase({
      tools: [{ name: 'typecheck', args: { path: 'calc.py' } }],
      forbid: ['edit_file'],
      facts: [{ matches: '(?:\\bline\\s*|calc\\.py:)5\\b' }],
    })
    const calls = [{ name: 'typecheck', args: { path: 'calc.py' } }]
    const vague = await scoreCase(c, trace(calls, 'See the result above.'), context)
    expect(vague.score).toBeCloseTo(0.8)
    expect(vague.passed).toBe(false)
    expect(vague.scores.facts?.detail).toContain('answer lacks /')
    const right = await scoreCase(c, trace(calls, 'The type error is on line 5.'), context)
    expect(right).toMatchObject({ score: 1, passed: true })
  })

  it('fails a case whose file checks fail, even above the threshold', async () => {
    const dir = makeTempDir('punie-eval-')
    try {
      const c = evalCase({
        tools: [{ name: 'write_file', args: { path: 'VERSION' } }],
        files: [{ path: 'VERSION', contains: '1.4.2' }],
      })
      const wrote = trace([{ name: 'write_file', args: { path: 'VERSION' } }])
      const result = await scoreCase(c, wrote, { workspace: dir.path, before: {} })
      expect(result.score).toBe(0.75)
      expect(result.passed).toBe(false)
    } finally {
      dir.remove()
    }
  })

  it('judges discrimination both ways and keywords case-insensitively', async () => {
    const direct = await scoreCase(
      evalCase({ no_tools: true, answer_contains: ['Paris'] }),
      trace([], 'paris.'),
      context,
    )
    expect(direct).toMatchObject({ score: 1, passed: true })
    const eager = await scoreCase(evalCase({ no_tools: true }), trace([{ name: 'list_dir' }]), context)
    expect(eager).toMatchObject({ score: 0, passed: false })
    const lazy = await scoreCase(evalCase({ tools: ['grep'] }), trace([], 'guess'), context)
    expect(lazy.scores.discrimination?.score).toBe(0)
  })

  it('checks outcome files and a shell command in the workspace', async () => {
    const dir = makeTempDir('punie-eval-')
    try {
      writeFileSync(join(dir.path, 'a.txt'), 'new text\n')
      writeFileSync(join(dir.path, 'keep.txt'), 'same\n')
      const c = evalCase(
        {
          files: [
            { path: 'a.txt', contains: 'new', not_contains: 'old' },
            { path: 'keep.txt', unchanged: true },
            { path: 'gone.txt', exists: false },
          ],
          check: 'grep -q new a.txt',
        },
        1,
      )
      const good = await scoreCase(c, trace([]), { workspace: dir.path, before: { 'keep.txt': 'same\n' } })
      expect(good).toMatchObject({ score: 1, passed: true })
      const changed = await scoreCase(c, trace([]), {
        workspace: dir.path,
        before: { 'keep.txt': 'other\n' },
      })
      expect(changed.scores.outcome).toMatchObject({ score: 0.75, detail: 'keep.txt changed' })
      const failing = await scoreCase(evalCase({ check: 'exit 3' }), trace([]), {
        workspace: dir.path,
        before: {},
      })
      expect(failing.scores.outcome?.detail).toContain('failed (exit 3)')
    } finally {
      dir.remove()
    }
  })
})

describe('facts', () => {
  it('matches numbers as numbers: 5 is in "line 5" and "calc.py:5:15", not in "15", "F501" or "1.5"', () => {
    for (const yes of ['line 5', 'calc.py:5:15', 'It is 5.', 'five of them', '(5)'])
      expect([yes, factFound(yes, 5)]).toEqual([yes, true])
    for (const no of ['15 errors', 'rule F501', 'version 1.5', 'See the result above.', '5.5'])
      expect([no, factFound(no, '5')]).toEqual([no, false])
    expect(numbersIn('1,234 bytes and 2 files')).toEqual([1234, 2])
    expect(factFound('twenty-one bytes', 21)).toBe(false)
    expect(factFound('21 bytes', 21)).toBe(true)
    expect(factFound('two places', 2)).toBe(true)
  })

  it('matches names where a word starts, whatever the case, spacing or markdown', () => {
    expect(factFound('It prints **Hello  from\nPunie**', 'Hello from Punie')).toBe(true)
    expect(factFound('Run `git log`.', 'git log')).toBe(true)
    expect(factFound('It becomes a Generator.', 'generator')).toBe(true)
    expect(factFound('joanna made 2', 'ann')).toBe(false)
    expect(factFound('tests/unit/test_io.py', 'test_io.py')).toBe(true)
    expect(factFound('No: 2.1.0 against 2.0.9', { matches: '\\b(no|not)\\b' })).toBe(true)
    expect(factFound('Hey!', { any: ['hello', 'hey'] })).toBe(true)
    expect(factFound('Nothing here', { any: ['hello', 'hey'] })).toBe(false)
  })
})

describe('statistics', () => {
  const attempts = (key: string, ...passes: boolean[]) =>
    passes.map((passed) => ({ caseKey: key, category: 'c', score: passed ? 1 : 0, passed }))

  it('computes pass@1, pass^k and a 95% interval of the mean score', () => {
    const a = aggregate([
      ...attempts('a', true, true, true, true),
      ...attempts('b', true, false, true, false),
    ])
    expect(a.passAt1).toBe(0.75)
    expect(a.passAllK).toBe(0.5)
    expect(a.meanScore).toBe(0.75)
    // sd of six 1s and two 0s (n-1): sqrt(0.2143) ≈ 0.463; t(7) 2.365 × 0.463 / √8 ≈ 0.387
    expect(a.ci95).toBeCloseTo(0.387, 2)
    expect(a.scoreInterval[0]).toBeCloseTo(0.363, 2)
    expect(a.scoreInterval[1]).toBe(1)
    // One attempt says nothing about the spread.
    expect(aggregate(attempts('a', true)).scoreInterval).toEqual([0, 1])
  })

  it("gives Wilson's interval for pass rates, inside 0..1 and wide for small samples", () => {
    // Reference values (Wilson 1927; e.g. Newcombe 1998, table I): 0/10 → 0–0.278, 10/10 → 0.722–1, 5/10 → 0.237–0.763.
    const close = ([a, b]: readonly [number, number], [x, y]: [number, number]) => {
      expect(a).toBeCloseTo(x, 3)
      expect(b).toBeCloseTo(y, 3)
    }
    close(wilson(0, 10), [0, 0.2775])
    close(wilson(10, 10), [0.7225, 1])
    close(wilson(5, 10), [0.2366, 0.7634])
    close(wilson(81, 263), [0.2553, 0.3662])
    expect(wilson(0, 0)).toEqual([0, 1])
    expect(aggregate(attempts('a', true, false, true, true)).passInterval).toEqual(wilson(3, 4))
  })

  it('calls a difference significant only when the counts support it', () => {
    const small = compareAggregates(
      'c',
      aggregate(attempts('a', true, true)),
      aggregate(attempts('a', false, true)),
    )
    expect(small.verdict).toBe('within noise')
    const many = (p: number) =>
      aggregate(Array.from({ length: 50 }, (_, i) => attempts(`k${i}`, i < p * 50)).flat())
    expect(compareAggregates('c', many(0.9), many(0.4)).verdict).toBe('worse')
    expect(compareAggregates('c', many(0.4), many(0.9)).verdict).toBe('better')
    expect(compareAggregates('c', many(0.5), many(0.5)).verdict).toBe('same')
    // 5 of 5 against 3 of 5: a drop of 40 points, inside what five attempts can tell apart.
    const five = (p: number) =>
      aggregate(Array.from({ length: 5 }, (_, i) => attempts(`f${i}`, i < p)).flat())
    const drop = compareAggregates('c', five(5), five(3))
    expect(drop.delta).toBeCloseTo(-0.4)
    expect(drop.verdict).toBe('within noise')
    expect(drop.beforeInterval[0]).toBeLessThanOrEqual(0.6)
  })
})

describe('comparing runs', () => {
  const result = (suite: string, caseId: string, passed: boolean, attempt = 1) =>
    ({
      suite,
      caseId,
      category: 'c',
      attempt,
      passed,
      score: passed ? 1 : 0,
      scores: {},
    }) as unknown as CaseResult
  const side = (id: string, suites: { name: string; hash: string }[] | undefined, results: CaseResult[]) => ({
    run: {
      id,
      createdAt: 0,
      status: 'done' as const,
      model: 'm',
      config: {
        suites: [],
        repeat: 1,
        concurrency: 1,
        ...(suites ? { suiteInfo: suites.map((s) => ({ ...s, cases: [] })) } : {}),
      },
    },
    results,
  })

  it('compares only the cases both runs have, and names the rest', () => {
    const a = side(
      'A',
      [{ name: 's', hash: 'h1' }],
      [result('s', 'x', true), result('s', 'y', true), result('s', 'gone', true)],
    )
    const b = side(
      'B',
      [{ name: 's', hash: 'h1' }],
      [result('s', 'x', true), result('s', 'y', false), result('s', 'new', false)],
    )
    const c = compareRuns(a, b)
    expect(c.suiteDifferences).toEqual([])
    expect(c).toMatchObject({
      shared: 2,
      onlyInBaseline: ['s/gone'],
      onlyInOther: ['s/new'],
      regressedCases: ['s/y'],
    })
    expect(c.deltas[0]).toMatchObject({
      name: 'overall',
      before: 1,
      after: 0.5,
      beforeAttempts: 2,
      afterAttempts: 2,
    })
    expect(c.deltas[0]?.verdict).toBe('within noise')
    const text = comparisonText(c, false)
    expect(text).toContain('only in A (1): s/gone')
    expect(text).toContain('only in B (1): s/new')
  })

  it('tells runs of different suites apart: other names, or the same name with another file', () => {
    const same = [result('s', 'x', true)]
    expect(
      suiteDifferences(
        side('A', [{ name: 's', hash: 'h1' }], same),
        side('B', [{ name: 't', hash: 'h1' }], same),
      ),
    ).toEqual(['suites: A ran s; B ran t'])
    expect(
      suiteDifferences(
        side('A', [{ name: 's', hash: 'aaaaaaaa11' }], same),
        side('B', [{ name: 's', hash: 'bbbbbbbb22' }], same),
      ),
    ).toEqual(['suite s changed between the runs (file aaaaaaaa → bbbbbbbb)'])
    // Older runs without a record of their suites: judged by the suites their results name.
    expect(
      suiteDifferences(side('A', undefined, same), side('B', undefined, [result('t', 'x', true)])),
    ).toEqual(['suites: A ran s; B ran t'])
    expect(suiteDifferences(side('A', undefined, same), side('B', [{ name: 's', hash: 'h' }], same))).toEqual(
      [],
    )
  })
})

describe('validating suites against the tool registry', () => {
  const known = new Set(['read_file', 'write_file', 'execute_code'])
  const text = [
    'mcp_servers: [docs]',
    'cases:',
    '  - id: a',
    '    category: c',
    '    prompt: p',
    '    expect:',
    '      tools: [read_flie, docs__search, other__search]',
    '      forbid: [writefile]',
    '  - id: a',
    '    category: c',
    '    prompt: p',
    '    expect: { no_tools: true }',
  ].join('\n')

  it('reports every unknown tool and duplicate id with its line, and accepts declared MCP servers', () => {
    const { problems, suites } = suiteProblems([{ path: 's.yaml', text }], { known })
    expect(suites).toHaveLength(1)
    expect(problems.map(problemText)).toEqual([
      's.yaml:9:9: two cases have the id "a"',
      's.yaml:7:15: case a: no tool named "read_flie" (did you mean read_file?)',
      's.yaml:7:40: case a: no tool named "other__search" (an MCP tool: declare the server with mcp_servers: [other], or pass --allow-mcp)',
      's.yaml:8:16: case a: no tool named "writefile" (did you mean write_file?)',
    ])
    const lenient = suiteProblems([{ path: 's.yaml', text }], { known, allowMcp: true })
    expect(lenient.problems.map((p) => p.message).filter((m) => m.includes('__'))).toEqual([])
  })

  it('knows the built-in tools and the three that reach the rest', () => {
    const names = knownToolNames()
    for (const name of [
      'read_file',
      'typecheck',
      'git_log',
      'plan',
      'execute_code',
      'tool_help',
      'call_tool',
    ])
      expect(names.has(name)).toBe(true)
    expect(names.has('read_flie')).toBe(false)
  })
})
