// The pure parts of replayable sessions: request deltas and their rebuild, a cassette from events, the request
// comparison that names the differing message, and the eval case derived from a cassette.
import { describe, expect, it } from 'vitest'
import { caseFromCassette } from '../../src/eval/case-from-session.js'
import { type FullExchange, fullExchanges, parseCassette, relativize } from '../../src/eval/cassette.js'
import { cassetteFrom } from '../../src/eval/cassette-record.js'
import { compareCalls, compareRequest, workspacePath } from '../../src/eval/cassette-replay.js'
import { parseSuite } from '../../src/eval/suite.js'
import type { ChatMessage, ToolSchema } from '../../src/model/types.js'
import { toWireMessages } from '../../src/model/wire.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'
import type { SessionRecord } from '../../src/session/ports.js'
import { RequestLog, RequestRebuilder } from '../../src/session/request-log.js'

const TOOLS: ToolSchema[] = [{ name: 'read_file', description: 'Read', parameters: { type: 'object' } }]

describe('request log', () => {
  it('logs only what is new since the previous request and rebuilds every request exactly', () => {
    const log = new RequestLog()
    const rebuild = new RequestRebuilder()
    const system: ChatMessage = { role: 'system', content: 'S' }
    const requests: ChatMessage[][] = [
      [system, { role: 'user', content: 'one' }],
      [
        system,
        { role: 'user', content: 'one' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'result' },
      ],
      // A compacted view: the history's start replaced by a summary.
      [system, { role: 'user', content: 'summary' }, { role: 'user', content: 'two' }],
    ]
    const deltas = requests.map((messages) => log.next(messages, TOOLS))
    expect(deltas.map((d) => [d.keep, d.append.length, d.tools !== undefined])).toEqual([
      [0, 2, true],
      [2, 2, false],
      [1, 2, false],
    ])
    for (const [i, delta] of deltas.entries()) {
      expect(rebuild.apply(delta)).toEqual({ messages: requests[i], tools: TOOLS })
    }
  })
})

const record: SessionRecord = {
  id: 'abcdef12-0000',
  cwd: '/home/u/proj',
  project: '/home/u/proj',
  additionalDirectories: [],
  model: 'local',
  mode: 'yolo',
  toolMode: 'both',
  createdAt: 0,
  updatedAt: 0,
}

function events(bodies: AgentEventBody[]): AgentEvent[] {
  return bodies.map((body, i) => ({ ...body, sessionId: record.id, seq: i + 1, at: i }) as AgentEvent)
}

const T = 'turn_1'
const SESSION = events([
  { type: 'turn.start', turnId: T, prompt: [{ type: 'text', text: 'fix /home/u/proj/a.py' }] },
  {
    type: 'model.request',
    turnId: T,
    request: 1,
    keep: 0,
    append: [
      { role: 'system', content: 'cwd /home/u/proj' },
      { role: 'user', content: 'fix /home/u/proj/a.py' },
    ],
    tools: TOOLS,
  },
  {
    type: 'model.response',
    turnId: T,
    request: 1,
    text: '',
    toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a.py"}' }],
    finish: 'tool_calls',
  },
  {
    type: 'tool.start',
    turnId: T,
    toolCallId: 'c1',
    name: 'read_file',
    kind: 'read',
    title: 'Read a.py',
    locations: [],
    input: { path: 'a.py' },
    content: [],
    backend: 'local',
  },
  {
    type: 'tool.end',
    turnId: T,
    toolCallId: 'c1',
    name: 'read_file',
    status: 'completed',
    output: { path: 'a.py', content: 'x = 1\n', startLine: 1, endLine: 1, totalLines: 1, truncated: false },
    durationMs: 1,
  },
  {
    type: 'tool.start',
    turnId: T,
    toolCallId: 'c2',
    name: 'edit_file',
    kind: 'edit',
    title: 'Edit a.py',
    locations: [],
    input: { path: 'a.py', old: '1', new: '2' },
    content: [{ type: 'diff', path: '/home/u/proj/a.py', oldText: 'x = 1\n', newText: 'x = 2\n' }],
    backend: 'local',
  },
  {
    type: 'tool.end',
    turnId: T,
    toolCallId: 'c2',
    name: 'edit_file',
    status: 'completed',
    durationMs: 1,
  },
  {
    type: 'tool.start',
    turnId: T,
    toolCallId: 'c3',
    name: 'write_file',
    kind: 'edit',
    title: 'Write new.txt',
    locations: [],
    input: { path: 'new.txt', content: 'hi\n' },
    content: [{ type: 'diff', path: '/home/u/proj/new.txt', oldText: null, newText: 'hi\n' }],
    backend: 'local',
  },
  { type: 'tool.end', turnId: T, toolCallId: 'c3', name: 'write_file', status: 'completed', durationMs: 1 },
  { type: 'message.delta', turnId: T, messageId: 'm', text: 'Set `x = 2`.' },
  { type: 'turn.end', turnId: T, stopReason: 'end_turn', durationMs: 5 },
])

describe('cassette from events', () => {
  const cassette = cassetteFrom({ record, events: SESSION, punieVersion: '9.9.9', now: new Date(0) })

  it('rebuilds the requests, keeps the answers and writes paths relative to the workspace', () => {
    expect(cassette.turns).toHaveLength(1)
    const [exchange] = fullExchanges(cassette)[0] ?? []
    expect(exchange?.messages.map((m) => m.content)).toEqual(['cwd <workspace>', 'fix <workspace>/a.py'])
    expect(exchange?.response?.toolCalls?.[0]?.name).toBe('read_file')
    expect(JSON.stringify(cassette)).not.toContain('/home/u')
    // It survives its own schema.
    expect(parseCassette(JSON.stringify(cassette), 'x.json')).toEqual(cassette)
  })

  it('knows each touched file at the start and the end: from a whole read, an edit and a new file', () => {
    expect(cassette.files).toEqual({
      start: { 'a.py': 'x = 1\n', 'new.txt': null },
      end: { 'a.py': 'x = 2\n', 'new.txt': 'hi\n' },
    })
    expect(cassette.unknownStart).toEqual([])
  })

  it('refuses a session recorded before model requests were logged', () => {
    const old = SESSION.filter((e) => e.type !== 'model.request' && e.type !== 'model.response')
    expect(() => cassetteFrom({ record, events: old, punieVersion: '1' })).toThrow(
      /did not log model requests/,
    )
  })

  it('derives an eval case that the suite schema accepts', () => {
    const derived = caseFromCassette(cassette)
    const suite = parseSuite(derived.yaml, 'case.yaml')
    expect(suite.cases[0]).toMatchObject({
      id: 'session-abcdef12',
      prompt: 'fix a.py',
      files: { 'a.py': 'x = 1\n' },
      expect: {
        tools: [
          { name: 'read_file', args: { path: 'a.py' } },
          { name: 'edit_file', args: { path: 'a.py' } },
          { name: 'write_file', args: { path: 'new.txt' } },
        ],
        files: [
          { path: 'a.py', contains: ['x = 2'] },
          { path: 'new.txt', exists: true },
        ],
        answer_contains: ['x = 2'],
      },
    })
  })
})

describe('request comparison', () => {
  const exchange: FullExchange = {
    request: 2,
    messages: [
      { role: 'system', content: 'S' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'line 1\nline 2' },
    ],
    tools: TOOLS,
    response: { text: 'ok', finish: 'stop' },
  }
  const wire = (messages: ChatMessage[]) => ({
    messages: toWireMessages(messages),
    tools: [
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read', parameters: { type: 'object' } },
      },
    ],
  })

  it('finds nothing when the request is the recorded one', () => {
    expect(compareRequest(exchange, wire(exchange.messages))).toBeUndefined()
  })

  it('names the tool result that differs and gives both texts', () => {
    const changed = [...exchange.messages.slice(0, 2), { role: 'tool', toolCallId: 'c1', content: 'line 2' }]
    expect(compareRequest(exchange, wire(changed as ChatMessage[]))).toEqual({
      where: 'message 3 of 3 (the result of read_file call c1)',
      expected: 'line 1\nline 2',
      actual: 'line 2',
    })
  })

  it('names a change in the tools offered', () => {
    const found = compareRequest(exchange, { messages: toWireMessages(exchange.messages), tools: [] })
    expect(found).toEqual({ where: 'the tools offered', expected: 'read_file', actual: '' })
  })

  it('compares the tool calls of a turn by name, input and outcome', () => {
    const recorded = [{ id: 'c1', name: 'read_file', input: { path: 'a' }, status: 'completed' as const }]
    expect(
      compareCalls(1, recorded, [{ name: 'read_file', input: { path: 'a' }, status: 'completed' }]),
    ).toBe(undefined)
    expect(
      compareCalls(1, recorded, [{ name: 'read_file', input: { path: 'a' }, status: 'failed' }])?.where,
    ).toBe('tool call 1 (read_file c1)')
  })

  it('keeps the cassette’s files inside the workspace', () => {
    expect(workspacePath('/w', 'a/b.txt')).toBe('/w/a/b.txt')
    expect(() => workspacePath('/w', '../etc/passwd')).toThrow(/outside the workspace/)
    expect(() => workspacePath('/w', '/etc/passwd')).toThrow(/outside the workspace/)
  })

  it('writes the workspace path as the token wherever it appears, deep in values too', () => {
    expect(relativize({ a: ['/p/sub/x', 'at /p/sub', '/p/y'], n: 1 }, ['/p/sub'])).toEqual({
      a: ['<workspace>/x', 'at <workspace>', '/p/y'],
      n: 1,
    })
  })
})
