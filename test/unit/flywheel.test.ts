import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { screenProjectConfig } from '../../src/config/project-trust.js'
import type { Example } from '../../src/dataset/example.js'
import { captureSessions } from '../../src/flywheel/capture.js'
import { isRetry, labelTurn } from '../../src/flywheel/labels.js'
import { capturedProjects, setCaptured, storeSpellings } from '../../src/flywheel/opt-in.js'
import { scrubExample } from '../../src/flywheel/scrub-example.js'
import { SessionReader } from '../../src/flywheel/session-reader.js'
import { type CapturedTurn, splitTurns } from '../../src/flywheel/turns.js'
import type { ChatMessage } from '../../src/model/types.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'
import type { SessionRecord } from '../../src/session/ports.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { makeTempDir } from '../helpers/temp.js'

let seq = 0
const ev = (body: AgentEventBody, sessionId = 's1'): AgentEvent =>
  ({ ...body, sessionId, seq: ++seq, at: 1_700_000_000_000 + seq }) as AgentEvent
const text = (t: string) => [{ type: 'text' as const, text: t }]

/** One turn's events: start, the given tool calls, end. */
function turnEvents(
  turnId: string,
  prompt: string,
  calls: {
    name: string
    kind?: string
    status?: 'completed' | 'failed'
    output?: unknown
    input?: unknown
  }[] = [],
  stopReason: 'end_turn' | 'cancelled' = 'end_turn',
  sessionId = 's1',
): AgentEvent[] {
  return [
    ev({ type: 'turn.start', turnId, prompt: text(prompt) }, sessionId),
    ...calls.flatMap((c, i) => [
      ev(
        {
          type: 'tool.start',
          turnId,
          toolCallId: `${turnId}-${i}`,
          name: c.name,
          kind: (c.kind ?? 'read') as 'read',
          title: c.name,
          locations: [],
          input: c.input ?? {},
          content: [],
          backend: 'local',
        },
        sessionId,
      ),
      ev(
        {
          type: 'tool.end',
          turnId,
          toolCallId: `${turnId}-${i}`,
          name: c.name,
          status: c.status ?? 'completed',
          output: c.output,
          durationMs: 1,
        },
        sessionId,
      ),
    ]),
    ev({ type: 'turn.end', turnId, stopReason, durationMs: 5 }, sessionId),
  ]
}

const convo = (prompt: string, answer: string): ChatMessage[] => [
  { role: 'user', content: prompt },
  { role: 'assistant', content: answer },
]

function turn(overrides: Partial<CapturedTurn> & { events: AgentEvent[] }): CapturedTurn {
  return {
    turnId: 't',
    index: 0,
    at: 0,
    prompt: 'p',
    messages: convo('p', 'done'),
    stopReason: 'end_turn',
    ...overrides,
  }
}

describe('flywheel turns', () => {
  it('pairs model turns with their conversation, skips slash commands, counts turns lost to /clear', () => {
    const events = [
      ...turnEvents('t1', 'first'),
      ...turnEvents('t2', '/clear'),
      ev({ type: 'session.cleared' }),
      ...turnEvents('t3', 'second'),
      ...turnEvents('t4', '/help'),
      ...turnEvents('t5', 'third', [], 'cancelled'),
    ]
    // The messages table after /clear: only what came after it.
    const messages = [...convo('second', 'two'), { role: 'user' as const, content: 'third' }]
    const { turns, lost } = splitTurns(events, messages)
    expect(lost).toBe(1)
    expect(turns.map((t) => [t.turnId, t.prompt, t.stopReason, t.messages.length])).toEqual([
      ['t3', 'second', 'end_turn', 2],
      ['t5', 'third', 'cancelled', 1],
    ])
  })
})

describe('flywheel labels', () => {
  it('labels tests after an edit by the last run, and a run that failed then passed as fixed', () => {
    const events = turnEvents('t', 'p', [
      { name: 'edit_file', kind: 'edit' },
      { name: 'run_tests', kind: 'execute', output: { success: false } },
      { name: 'edit_file', kind: 'edit' },
      {
        name: 'run_command',
        kind: 'execute',
        input: { command: 'python3 -m pytest -q' },
        output: { exitCode: 0 },
      },
    ])
    expect(labelTurn(turn({ events }))).toEqual({
      outcome: 'success',
      labels: ['tools-ok', 'tests-passed-after-edit', 'tests-fixed'],
    })
  })

  it('does not count a test run before any edit', () => {
    const events = turnEvents('t', 'p', [{ name: 'run_tests', kind: 'execute', output: { success: false } }])
    expect(labelTurn(turn({ events })).labels).toEqual(['tools-ok'])
  })

  it('reads the next prompt: the same again is a retry, a refusal or complaint a correction', () => {
    const events = turnEvents('t', 'Fix the bug')
    expect(labelTurn(turn({ events, prompt: 'Fix the bug' }), 'fix the bug!')).toMatchObject({
      outcome: 'failure',
      labels: ['retried'],
    })
    for (const next of [
      'No, use a dict',
      "that's wrong",
      'Undo that',
      'it still fails',
      "don't touch main.py",
    ])
      expect(labelTurn(turn({ events }), next).labels, next).toContain('corrected')
    for (const next of ['Now add a test', 'Nobody calls it; remove it', 'Great, thanks'])
      expect(labelTurn(turn({ events }), next).labels, next).toEqual([])
    expect(isRetry('', '')).toBe(false)
  })

  it('marks cancelled turns, unanswered turns and turns the log never ended', () => {
    expect(
      labelTurn(turn({ events: turnEvents('t', 'p', [], 'cancelled'), stopReason: 'cancelled' })),
    ).toEqual({
      outcome: 'failure',
      labels: ['cancelled'],
    })
    expect(labelTurn(turn({ events: [], messages: [{ role: 'user', content: 'p' }] })).labels).toEqual([
      'no-answer',
    ])
    expect(labelTurn({ ...turn({ events: [] }), stopReason: undefined } as CapturedTurn).outcome).toBe(
      'unknown',
    )
  })
})

describe('flywheel example scrubbing', () => {
  const secret = `ghp_${'a'.repeat(18)}${'B1'.repeat(9)}`
  const example: Example = {
    messages: [
      { role: 'user', content: `use ${secret}` },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'a',
            type: 'function',
            function: { name: 'write_file', arguments: `{"path": "x.py", "content": "T = '${secret}'\\n"}` },
          },
          {
            id: 'b',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path": "config/.env.local"}' },
          },
          { id: 'c', type: 'function', function: { name: 'grep', arguments: '{"pattern":  "x"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'b', content: 'PORT=8080\nNAME=ana\n' },
    ],
    metadata: { id: 'x', project: '/home/ana/proj' },
  }

  it('scrubs every string, keeps arguments valid JSON and leaves unchanged arguments as they were', () => {
    const { example: out, found } = scrubExample(example, { home: '/home/ana' })
    const json = JSON.stringify(out)
    expect(json).not.toContain(secret)
    const calls = out.messages[1]?.role === 'assistant' ? (out.messages[1].tool_calls ?? []) : []
    expect(JSON.parse(calls[0]?.function.arguments ?? '')).toEqual({
      path: 'x.py',
      content: "T = '[REDACTED:github-token]'\n",
    })
    // Nothing to scrub: byte for byte the same, spacing included.
    expect(calls[2]?.function.arguments).toBe('{"pattern":  "x"}')
    // A .env file read by read_file loses every value.
    expect(out.messages[2]).toMatchObject({
      content: 'PORT=[REDACTED:env-value]\nNAME=[REDACTED:env-value]\n',
    })
    expect(out.metadata?.project).toBe('~/proj')
    expect(found).toMatchObject({ 'github-token': 2, 'env-value': 2, 'home-path': 1 })
  })
})

describe('flywheel store reading and opt-in', () => {
  let dir: ReturnType<typeof makeTempDir>
  beforeEach(() => {
    dir = makeTempDir('punie-flywheel-')
  })
  afterEach(() => dir.remove())

  function record(id: string, project: string): SessionRecord {
    return {
      id,
      cwd: project,
      project,
      additionalDirectories: [],
      model: 'local',
      mode: 'ask',
      toolMode: 'both',
      createdAt: 1,
      updatedAt: 2,
    }
  }

  it('reads only the sessions of opted-in projects, read-only, while another connection holds the write lock', () => {
    const database = join(dir.path, 'punie.db')
    const store = SqliteStore.open(database)
    for (const [id, project] of [
      ['a', '/work/in'],
      ['b', '/work/out'],
    ] as const) {
      store.createSession(record(id, project))
      for (const e of turnEvents(`t-${id}`, `hello ${id}`, [], 'end_turn', id)) store.appendEvent(e)
      for (const m of convo(`hello ${id}`, `answer ${id}`)) store.appendMessage(id, m)
    }
    // A writer in the middle of a transaction: a WAL reader is not blocked by it.
    const writer = new Database(database)
    writer.exec('BEGIN IMMEDIATE')
    const reader = SessionReader.open(database)
    try {
      const captured = [...captureSessions(reader, { projects: ['/work/in'] })]
      expect(captured.map((s) => [s.sessionId, s.examples.length])).toEqual([['a', 1]])
      expect(JSON.stringify(captured)).not.toContain('hello b')
      expect(() => (reader as unknown as { db: Database.Database }).db.exec('DELETE FROM sessions')).toThrow(
        /readonly/,
      )
    } finally {
      reader.close()
      writer.exec('ROLLBACK')
      writer.close()
      store.close()
    }
  })

  it('opens no store that does not exist', () => {
    const database = join(dir.path, 'none', 'punie.db')
    const reader = SessionReader.open(database)
    expect(reader.sessions(['/x'])).toEqual([])
    reader.close()
    expect(existsSync(database)).toBe(false)
  })

  it('is turned on in the user config only: a project file cannot, and other settings are kept', () => {
    const config = join(dir.path, 'config.json')
    writeFileSync(config, JSON.stringify({ model: 'local', trustedProjects: ['/t'] }))
    expect(setCaptured(config, dir.path, true)).toBe(true)
    expect(setCaptured(config, dir.path, true)).toBe(false)
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({
      model: 'local',
      trustedProjects: ['/t'],
      flywheel: { projects: [dir.path] },
    })
    expect(capturedProjects(config)).toEqual([dir.path])
    expect(storeSpellings([dir.path])).toEqual([dir.path])
    expect(setCaptured(config, dir.path, false)).toBe(true)
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ model: 'local', trustedProjects: ['/t'] })
    const screened = screenProjectConfig({ flywheel: { projects: ['/anything'] } }, true, {})
    expect(screened.config).toEqual({})
    expect(screened.ignored).toMatchObject([{ key: 'flywheel', why: 'it is read from your own config only' }])
  })
})
