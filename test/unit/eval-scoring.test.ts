// Scorers and statistics of the evaluation harness, on hand-made traces.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scoreCase, valueMatches } from '../../src/eval/scorers.js'
import { aggregate, compareAggregates } from '../../src/eval/stats.js'
import type { EvalCase, Expectations } from '../../src/eval/suite.js'
import { type CaseTrace, type TracedCall, traceFrom } from '../../src/eval/trace.js'
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
    expect(valueMatches(3, { contains: '3' }, '/ws')).toBe(false)
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
    // sd of six 1s and two 0s (n-1): sqrt(0.2143) ≈ 0.463; 1.96 × 0.463 / √8 ≈ 0.321
    expect(a.ci95).toBeCloseTo(0.321, 2)
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
  })
})
