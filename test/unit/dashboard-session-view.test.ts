// The dashboard's pure parts: events → turns → items, the overview's order, and how text and output read.
import { describe, expect, it } from 'vitest'
import type { SessionSummary } from '../../src/server/dashboard/api.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'
import {
  compactNumber,
  duration,
  OUTPUT_CAP,
  outputParts,
  relativeTime,
  shortModel,
  splitFences,
  splitInline,
} from '../../web/src/format.js'
import {
  applyEvent,
  EVENT_TYPES,
  emptyView,
  reduceEvents,
  runningTurn,
  type Turn,
} from '../../web/src/session-view.js'
import { groupSessions } from '../../web/src/sessions.js'

/** Events of one session with increasing seq, as the store numbers them. */
function stream(bodies: AgentEventBody[], firstSeq = 1): AgentEvent[] {
  return bodies.map(
    (body, i) => ({ ...body, sessionId: 's1', seq: firstSeq + i, at: 1_000 + i }) as AgentEvent,
  )
}

const T = 't1'
const start = (text: string, turnId = T): AgentEventBody => ({
  type: 'turn.start',
  turnId,
  prompt: [{ type: 'text', text }],
})
const delta = (messageId: string, text: string, turnId = T): AgentEventBody => ({
  type: 'message.delta',
  turnId,
  messageId,
  text,
})
const toolStart = (toolCallId: string, name: string, extra: Partial<AgentEventBody> = {}): AgentEventBody =>
  ({
    type: 'tool.start',
    turnId: T,
    toolCallId,
    name,
    kind: name === 'write_file' ? 'edit' : name === 'execute_code' ? 'execute' : 'read',
    title: `${name} call`,
    locations: [],
    input: {},
    content: [],
    backend: 'local',
    ...extra,
  }) as AgentEventBody
const toolEnd = (
  toolCallId: string,
  name: string,
  status: 'completed' | 'failed',
  extra = {},
): AgentEventBody => ({
  type: 'tool.end',
  turnId: T,
  toolCallId,
  name,
  status,
  durationMs: 12,
  ...extra,
})
const turnEnd = (stopReason: 'end_turn' | 'cancelled', turnId = T): AgentEventBody => ({
  type: 'turn.end',
  turnId,
  stopReason,
  durationMs: 500,
})

function only(turns: Turn[]): Turn {
  expect(turns).toHaveLength(1)
  return turns[0] as Turn
}

describe('session view: events to turns and items', () => {
  it('lists every AgentEvent type once, for the stream listeners', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length)
    expect(EVENT_TYPES).toContain('message.delta')
    expect(EVENT_TYPES).toContain('turn.end')
  })

  it('joins message deltas by messageId into one text, keeping newlines', () => {
    const view = reduceEvents(
      stream([
        start('hi'),
        delta('m1', 'Hello'),
        delta('m1', ',\nworld'),
        delta('m2', 'Second'),
        turnEnd('end_turn'),
      ]),
    )
    const turn = only(view.turns)
    expect(turn.prompt).toBe('hi')
    expect(turn.items).toEqual([
      { kind: 'message', id: 'm1', text: 'Hello,\nworld' },
      { kind: 'message', id: 'm2', text: 'Second' },
    ])
    expect(turn.stopReason).toBe('end_turn')
  })

  it('keeps thoughts apart from messages of the same id', () => {
    const view = reduceEvents(
      stream([
        start('q'),
        { type: 'thought.delta', turnId: T, messageId: 'm1', text: 'let me ' },
        { type: 'thought.delta', turnId: T, messageId: 'm1', text: 'think' },
        delta('m1', 'Answer'),
      ]),
    )
    expect(only(view.turns).items).toEqual([
      { kind: 'thought', id: 'm1', text: 'let me think' },
      { kind: 'message', id: 'm1', text: 'Answer' },
    ])
    expect(runningTurn(view)?.id).toBe(T)
  })

  it('drops events whose seq it already has', () => {
    const events = stream([start('hi'), delta('m1', 'once')])
    const view = reduceEvents(events)
    const again = reduceEvents(events, view)
    expect(again).toBe(view)
    expect(only(again.turns).items).toEqual([{ kind: 'message', id: 'm1', text: 'once' }])
    expect(again.lastSeq).toBe(2)
  })

  it('moves a tool card from pending through running to completed or failed, with its output and error', () => {
    const diff = { type: 'diff' as const, path: 'a.ts', oldText: 'x\n', newText: 'y\n' }
    const view = reduceEvents(
      stream([
        start('edit'),
        toolStart('c1', 'write_file', { content: [diff] } as Partial<AgentEventBody>),
        toolStart('c2', 'read_file'),
      ]),
    )
    expect(only(view.turns).tools.c1?.status).toBe('pending')
    const running = applyEvent(view, {
      ...stream([{ type: 'tool.update', turnId: T, toolCallId: 'c1', status: 'in_progress' }], 4)[0],
    } as AgentEvent)
    expect(only(running.turns).tools.c1?.status).toBe('running')
    const done = reduceEvents(
      stream(
        [
          toolEnd('c1', 'write_file', 'completed', { output: { path: 'a.ts' } }),
          toolEnd('c2', 'read_file', 'failed', { error: 'no such file: b.ts' }),
        ],
        5,
      ),
      running,
    )
    const turn = only(done.turns)
    expect(turn.tools.c1).toMatchObject({ status: 'completed', durationMs: 12, output: { path: 'a.ts' } })
    expect(turn.tools.c1?.content).toEqual([diff])
    expect(turn.tools.c2).toMatchObject({ status: 'failed', error: 'no such file: b.ts' })
    expect(turn.items).toEqual([
      { kind: 'tool', id: 'c1' },
      { kind: 'tool', id: 'c2' },
    ])
  })

  it('nests Code Mode calls under their execute_code card, in order, and not at the turn level', () => {
    const view = reduceEvents(
      stream([
        start('run code'),
        toolStart('code', 'execute_code', { input: { code: 'read_file("a")' } } as Partial<AgentEventBody>),
        toolStart('n1', 'read_file', {
          parentToolCallId: 'code',
          backend: 'sandbox',
        } as Partial<AgentEventBody>),
        toolStart('n2', 'grep', { parentToolCallId: 'code' } as Partial<AgentEventBody>),
        toolEnd('n1', 'read_file', 'completed'),
        toolEnd('n2', 'grep', 'completed'),
        toolEnd('code', 'execute_code', 'completed', { output: { stdout: 'ok\n' } }),
      ]),
    )
    const turn = only(view.turns)
    expect(turn.items).toEqual([{ kind: 'tool', id: 'code' }])
    expect(turn.tools.code?.children).toEqual(['n1', 'n2'])
    expect(turn.tools.n1).toMatchObject({ parentId: 'code', status: 'completed', backend: 'sandbox' })
    expect(turn.tools.code?.status).toBe('completed')
  })

  it('holds a permission request as pending until its response, and records the outcome on the card', () => {
    const asked = reduceEvents(
      stream([
        start('write'),
        toolStart('c1', 'write_file'),
        { type: 'permission.request', turnId: T, toolCallId: 'c1', title: 'Write a.ts', scope: 'a.ts' },
      ]),
    )
    expect(asked.pending.map((p) => [p.toolCallId, p.title])).toEqual([['c1', 'Write a.ts']])
    const answered = reduceEvents(
      stream([{ type: 'permission.response', turnId: T, toolCallId: 'c1', outcome: 'allow_once' }], 4),
      asked,
    )
    expect(answered.pending).toEqual([])
    expect(only(answered.turns).tools.c1?.permission).toBe('allow_once')
  })

  it('withdraws a request still pending when its turn ends, and marks a cancelled turn', () => {
    const view = reduceEvents(
      stream([
        start('write'),
        toolStart('c1', 'write_file'),
        { type: 'permission.request', turnId: T, toolCallId: 'c1', title: 'Write a.ts', scope: 'a.ts' },
        turnEnd('cancelled'),
      ]),
    )
    expect(view.pending).toEqual([])
    expect(only(view.turns).stopReason).toBe('cancelled')
    expect(runningTurn(view)).toBeUndefined()
  })

  it('shows one plan per turn, updated in place, and the latest plan for the session', () => {
    const entries = (status: 'pending' | 'completed') => [
      { content: 'Read the code', status: 'completed' as const, priority: 'high' as const },
      { content: 'Fix the bug', status, priority: 'medium' as const },
    ]
    const view = reduceEvents(
      stream([
        start('plan it'),
        { type: 'plan', turnId: T, entries: entries('pending') },
        delta('m1', 'working'),
        { type: 'plan', turnId: T, entries: entries('completed') },
      ]),
    )
    const turn = only(view.turns)
    expect(turn.items.map((i) => i.kind)).toEqual(['plan', 'message'])
    expect(turn.items[0]).toMatchObject({ kind: 'plan', entries: entries('completed') })
    expect(view.plan).toEqual(entries('completed'))
  })

  it('adds up tokens per turn and in total from model.end, and the context fill from usage', () => {
    const usage = (p: number, c: number) => ({ promptTokens: p, completionTokens: c, totalTokens: p + c })
    const view = reduceEvents(
      stream([
        start('one'),
        { type: 'model.end', turnId: T, request: 1, ok: true, durationMs: 10, usage: usage(100, 20) },
        { type: 'usage', turnId: T, usage: usage(100, 20), contextWindow: 1000 },
        { type: 'model.end', turnId: T, request: 2, ok: true, durationMs: 10, usage: usage(150, 5) },
        turnEnd('end_turn'),
        start('two', 't2'),
        {
          type: 'model.end',
          turnId: 't2',
          request: 1,
          ok: false,
          durationMs: 3,
          error: 'connection refused',
        },
        turnEnd('end_turn', 't2'),
      ]),
    )
    expect(view.turns.map((t) => [t.tokens, t.requests])).toEqual([
      [{ prompt: 250, completion: 25 }, 2],
      [{ prompt: 0, completion: 0 }, 1],
    ])
    expect(view.tokens).toEqual({ prompt: 250, completion: 25 })
    expect(view.context).toEqual({ tokens: 100, window: 1000 })
    expect(view.turns[1]?.error).toBe('connection refused')
  })

  it('keeps untouched turns as the same objects, so only the changed turn re-renders', () => {
    const view = reduceEvents(stream([start('a', 'ta'), turnEnd('end_turn', 'ta'), start('b', 'tb')]))
    const next = applyEvent(view, stream([delta('m', 'x', 'tb')], 4)[0] as AgentEvent)
    expect(next.turns[0]).toBe(view.turns[0])
    expect(next.turns[1]).not.toBe(view.turns[1])
  })

  it('opens a turn for events whose turn.start it never saw, and follows session changes', () => {
    const view = reduceEvents(
      stream([
        delta('m1', 'late', 'tx'),
        { type: 'session.title', title: 'Fix the parser' },
        { type: 'session.mode', mode: 'yolo' },
        { type: 'session.model', model: 'lmstudio:qwen3' },
      ]),
    )
    expect(only(view.turns)).toMatchObject({ id: 'tx', prompt: '' })
    expect([view.title, view.mode, view.model]).toEqual(['Fix the parser', 'yolo', 'lmstudio:qwen3'])
    const cleared = reduceEvents(stream([{ type: 'session.cleared' }], 5), view)
    expect(cleared.turns).toEqual([])
    expect(cleared.title).toBe('Fix the parser')
  })

  it('reduces a few thousand deltas into one message', () => {
    const bodies = [start('long'), ...Array.from({ length: 3000 }, (_, i) => delta('m1', `${i} `))]
    const view = reduceEvents(stream(bodies), emptyView())
    const item = only(view.turns).items[0]
    expect(item?.kind === 'message' && item.text.startsWith('0 1 2 ')).toBe(true)
    expect(item?.kind === 'message' && item.text.endsWith('2999 ')).toBe(true)
  })
})

describe('dashboard formatting', () => {
  it('writes token counts, durations and ages compactly', () => {
    expect([
      compactNumber(950),
      compactNumber(12_345),
      compactNumber(4_500_000),
      compactNumber(1000),
    ]).toEqual(['950', '12.3k', '4.5M', '1k'])
    expect([duration(850), duration(4200), duration(64_000), duration(7_380_000)]).toEqual([
      '850 ms',
      '4.2 s',
      '1m 04s',
      '2h 03m',
    ])
    expect([relativeTime(0, 2000), relativeTime(0, 12_000), relativeTime(0, 300_000)]).toEqual([
      'just now',
      '12s ago',
      '5m ago',
    ])
  })

  it('shortens model specs to the model name', () => {
    expect(shortModel('lmstudio:qwen/qwen3-coder-30b')).toBe('qwen3-coder-30b')
    expect(shortModel('ollama:llama3.1:8b@http://localhost:11434/v1')).toBe('llama3.1:8b')
    expect(shortModel('gpt-4o')).toBe('gpt-4o')
  })

  it('splits fenced code from prose, an unclosed fence running to the end', () => {
    expect(splitFences('Here:\n```ts\nconst a = 1\n```\nDone.')).toEqual([
      { kind: 'text', text: 'Here:' },
      { kind: 'code', lang: 'ts', text: 'const a = 1' },
      { kind: 'text', text: 'Done.' },
    ])
    expect(splitFences('<b>not html</b>\n```\nstill')).toEqual([
      { kind: 'text', text: '<b>not html</b>' },
      { kind: 'code', lang: '', text: 'still' },
    ])
  })

  it('marks `code` and **bold** inline, and leaves unclosed marks and markup as text', () => {
    expect(splitInline('Run `npm test`, then **check** <b>it</b>')).toEqual([
      { kind: 'text', text: 'Run ' },
      { kind: 'code', text: 'npm test' },
      { kind: 'text', text: ', then ' },
      { kind: 'strong', text: 'check' },
      { kind: 'text', text: ' <b>it</b>' },
    ])
    expect(splitInline('a `b and **c')).toEqual([{ kind: 'text', text: 'a `b and **c' }])
    expect(splitInline('')).toEqual([])
  })

  it('shows terminal fields of a tool output when present, else JSON, capped with the rest counted', () => {
    expect(outputParts({ stdout: 'hi\n', stderr: '', exitCode: 1 })).toEqual([
      { label: 'stdout', text: { text: 'hi\n', more: 0 } },
      { label: 'exit code', text: { text: '1', more: 0 } },
    ])
    expect(outputParts({ path: 'a.ts', lines: 3 })[0]?.label).toBe('result')
    const big = outputParts({ stdout: 'x'.repeat(OUTPUT_CAP + 500) })[0]
    expect(big?.text.text.length).toBeLessThanOrEqual(OUTPUT_CAP)
    expect(big?.text.more).toBe(500)
    expect(outputParts(undefined)).toEqual([])
  })
})

describe('overview order', () => {
  const summary = (id: string, project: string, updatedAt: number, waiting = false): SessionSummary => ({
    id,
    title: null,
    cwd: project,
    project,
    model: 'm',
    mode: 'ask',
    toolMode: 'both',
    createdAt: 0,
    updatedAt,
    open: true,
    running: waiting,
    client: 'acp',
    activity: waiting
      ? { state: 'permission', since: 0, permission: { toolCallId: 'c', title: 'Write', scope: 'a', at: 0 } }
      : { state: 'idle', since: 0 },
    turns: 0,
    promptTokens: 0,
    completionTokens: 0,
    busyMs: 0,
  })

  it('groups by project, newest first, sessions waiting for permission at the top of theirs', () => {
    const groups = groupSessions([
      summary('a1', '/a', 10),
      summary('b1', '/b', 30),
      summary('a2', '/a', 20),
      summary('c1', '/c', 40),
    ])
    expect(groups.map((g) => [g.project, g.sessions.map((s) => s.id)])).toEqual([
      ['/c', ['c1']],
      ['/b', ['b1']],
      ['/a', ['a2', 'a1']],
    ])
  })

  it('puts a session waiting for permission, and its project, first', () => {
    const groups = groupSessions([
      summary('a1', '/a', 10),
      summary('b1', '/b', 30),
      summary('a2', '/a', 20),
      summary('a3', '/a', 5, true),
    ])
    expect(groups.map((g) => [g.project, g.sessions.map((s) => s.id)])).toEqual([
      ['/a', ['a3', 'a2', 'a1']],
      ['/b', ['b1']],
    ])
  })
})
