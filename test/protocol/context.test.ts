// The model's context view over ACP: a window the server reports, compaction within it, /compact, reload.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SessionUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import type { RecordedRequest, ScriptedModelServer, StaticReply } from '../helpers/scripted-model.js'
import { type ProtocolFixture, useProtocolFixture } from './fixtures.js'

const RESERVED = 512
/** Room for history beyond what the system prompt and tools take, in the server's tokens. */
const ROOM = 2400
const CODEWORD = 'PELICAN-42'

const isSummaryRequest = (r: RecordedRequest) =>
  r.body.messages[0]?.content?.startsWith('You condense a coding session') ?? false

/** Reads a.py when asked, answers after the result, and writes summaries when asked for one. */
function scriptReader(model: ScriptedModelServer) {
  model.always((r): StaticReply => {
    if (isSummaryRequest(r))
      return { text: `Summary: the user set the codeword and asked to read a.py ${r.body.messages.length}` }
    const last = r.body.messages.at(-1)
    if (last?.role === 'tool')
      return { text: `Read it: ${'the module computes values from pairs of numbers. '.repeat(4)}` }
    if (last?.content?.includes('read a.py'))
      return { toolCalls: [{ name: 'read_file', arguments: { path: 'a.py' } }] }
    return { text: 'Noted.' }
  })
}

/**
 * A window the real system prompt leaves ROOM tokens of: measured with one throwaway request, then served
 * from a restarted agent (the window is probed once per model per process).
 */
async function smallWindow(f: ProtocolFixture, via: 'props' | 'models' = 'props'): Promise<number> {
  f.model.enqueue({ text: 'ok' })
  await f.acp.prompt(await f.session(), 'hi')
  const fixed = f.model.chatRequests()[0]?.promptTokens ?? 0
  const tokens = fixed + RESERVED + ROOM
  f.model.window = { tokens, via }
  f.writeConfig({ reservedOutputTokens: RESERVED })
  await f.restart()
  f.model.requests.length = 0
  writeFileSync(
    join(f.workspace, 'a.py'),
    'value = compute(1, 2)  # one line of a few-KB module\n'.repeat(60),
  )
  return tokens
}

const texts = (updates: SessionUpdate[], kind: string) =>
  updates
    .filter((u) => u.sessionUpdate === kind)
    .map((u) =>
      'content' in u && u.content && !Array.isArray(u.content) && u.content.type === 'text'
        ? u.content.text
        : '',
    )

describe('context window and compaction', () => {
  const f = useProtocolFixture()

  it('keeps every request within window − reserved output, masking tool results before any summary', async () => {
    const window = await smallWindow(f)
    scriptReader(f.model)
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, `Remember the codeword ${CODEWORD}.`)
    for (let i = 0; i < 14; i++) await f.acp.prompt(sessionId, `turn ${i}: read a.py`)

    const chat = f.model.chatRequests()
    for (const r of chat) expect(r.promptTokens).toBeLessThanOrEqual(window - RESERVED)
    const turns = chat.filter((r) => !isSummaryRequest(r))
    const firstMasked = turns.findIndex((r) =>
      JSON.stringify(r.body.messages).includes('elided to save context'),
    )
    const firstSummaryAt = chat.findIndex(isSummaryRequest)
    expect(firstMasked).toBeGreaterThan(0)
    expect(firstSummaryAt).toBeGreaterThan(chat.indexOf(turns[firstMasked] as RecordedRequest))
    expect(JSON.stringify(turns[firstMasked]?.body.messages)).toContain(
      'read_file path=\\"a.py\\" elided to save context',
    )
    // The summary request is reported like a model request, and shown to the user as a thought.
    const core = await f.agent.core()
    const events = core.manager.transcript(sessionId)
    const summaryEnds = events.filter((e) => e.type === 'model.end' && e.purpose === 'summary')
    expect(summaryEnds.length).toBe(chat.filter(isSummaryRequest).length)
    expect(texts(f.acp.updates(sessionId), 'agent_thought_chunk').join('')).toContain('Context compacted')
    // The first instruction is still in the latest request, and the latest result is whole.
    const last = JSON.stringify(turns.at(-1)?.body.messages)
    expect(last).toContain(CODEWORD)
    expect(turns.at(-1)?.body.messages.at(-1)?.content).toContain('value = compute(1, 2)')
    // Usage reports the window the server gave.
    const usage = f.acp.updates(sessionId).find((u) => u.sessionUpdate === 'usage_update')
    expect(usage && 'size' in usage ? usage.size : 0).toBe(window)
  })

  it("counts with the server's /tokenize once a request nears the budget and no usage has come back", async () => {
    const window = await smallWindow(f)
    f.model.always((r): StaticReply => {
      const last = r.body.messages.at(-1)
      if (last?.role === 'tool') return { text: 'Read it.', usage: false }
      return { toolCalls: [{ name: 'read_file', arguments: { path: 'a.py' } }], usage: false }
    })
    const sessionId = await f.session()
    for (let i = 0; i < 4; i++) await f.acp.prompt(sessionId, `turn ${i}: read a.py`)
    expect(f.model.tokenizeRequests.length).toBeGreaterThan(0)
    for (const r of f.model.chatRequests()) expect(r.promptTokens).toBeLessThanOrEqual(window - RESERVED)
  })

  it('between compactions each request extends the one before it (prefix caches keep hitting)', async () => {
    await smallWindow(f)
    scriptReader(f.model)
    const sessionId = await f.session()
    for (let i = 0; i < 12; i++) await f.acp.prompt(sessionId, `turn ${i}: read a.py`)
    const turns = f.model.chatRequests().filter((r) => !isSummaryRequest(r))
    const compactions = (await f.agent.core()).manager
      .transcript(sessionId)
      .filter((e) => e.type === 'context.compacted').length
    let extending = 0
    for (let i = 1; i < turns.length; i++) {
      const before = JSON.stringify(turns[i - 1]?.body.messages).slice(0, -1)
      if (JSON.stringify(turns[i]?.body.messages).startsWith(before)) extending++
    }
    expect(compactions).toBeGreaterThan(0)
    // Each compaction may break the prefix once; no other request does.
    expect(turns.length - 1 - extending).toBeLessThanOrEqual(compactions)
  })

  it('takes the window from vLLM max_model_len in /v1/models', async () => {
    const window = await smallWindow(f, 'models')
    f.model.always({ text: 'ok' })
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, 'hello')
    const usage = f.acp.updates(sessionId).find((u) => u.sessionUpdate === 'usage_update')
    expect(usage && 'size' in usage ? usage.size : 0).toBe(window)
    expect(f.model.chatRequests()[0]?.body.max_tokens).toBe(RESERVED)
  })

  it('/compact elides old results and summarises earlier turns by hand; a reloaded session keeps that view', async () => {
    await smallWindow(f)
    scriptReader(f.model)
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, `Remember the codeword ${CODEWORD}.`)
    await f.acp.prompt(sessionId, 'turn 1: read a.py')
    await f.acp.prompt(sessionId, 'turn 2: read a.py')
    const before = f.model.chatRequests().length
    await f.acp.prompt(sessionId, '/compact')
    const summaries = f.model.chatRequests().slice(before).filter(isSummaryRequest)
    expect(summaries).toHaveLength(1)
    expect(texts(f.acp.updates(sessionId), 'agent_message_chunk').join('')).toContain('Context compacted')

    await f.acp.prompt(sessionId, 'what now?')
    const compacted = f.model.chatRequests().at(-1)?.body.messages ?? []
    const view = JSON.stringify(compacted)
    expect(view).toContain(CODEWORD)
    expect(view).toContain('Summary of the earlier conversation')
    expect(view).toContain('elided to save context')
    expect(view).not.toContain('turn 1: read a.py')

    await f.restart()
    f.acp.notifications.length = 0
    await f.acp.loadSession(sessionId, f.workspace)
    // The replay is the whole transcript, not the model's view.
    const replayed = texts(f.acp.updates(sessionId), 'user_message_chunk')
    expect(replayed).toEqual([
      `Remember the codeword ${CODEWORD}.`,
      'turn 1: read a.py',
      'turn 2: read a.py',
      '/compact',
      'what now?',
    ])
    const mark = f.model.chatRequests().length
    await f.acp.prompt(sessionId, 'and then?')
    const reloaded =
      f.model
        .chatRequests()
        .slice(mark)
        .filter((r) => !isSummaryRequest(r))[0]?.body.messages ?? []
    // Same view as before the restart, plus the new turn: no summary recomputed.
    expect(JSON.stringify(reloaded).startsWith(JSON.stringify(compacted).slice(0, -1))).toBe(true)
    expect(f.model.chatRequests().slice(mark).filter(isSummaryRequest)).toHaveLength(0)
  })

  it('a failed summary request falls back to the user requests it covered; the turn goes on', async () => {
    await smallWindow(f)
    scriptReader(f.model)
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, `Remember the codeword ${CODEWORD}.`)
    await f.acp.prompt(sessionId, 'turn 1: read a.py')
    await f.acp.prompt(sessionId, 'turn 2: read a.py')
    f.model.enqueue({ kind: 'http-error', status: 500 })
    await f.acp.prompt(sessionId, '/compact')
    await f.acp.prompt(sessionId, 'what now?')
    const view = JSON.stringify(f.model.chatRequests().at(-1)?.body.messages)
    expect(view).toContain('The user also asked')
    expect(view).toContain('turn 1: read a.py')
    expect(view).toContain(CODEWORD)
    const failed = (await f.agent.core()).manager
      .transcript(sessionId)
      .filter((e) => e.type === 'model.end' && e.purpose === 'summary' && !e.ok)
    expect(failed).toHaveLength(1)
  })
})
