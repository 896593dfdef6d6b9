import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ToolCall, ToolCallUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { makeTempDir } from '../helpers/temp.js'
import { useProtocolFixture } from './fixtures.js'

describe('tool calls in a turn', () => {
  const f = useProtocolFixture()

  const toolCards = (sessionId: string) =>
    f.acp
      .updates(sessionId)
      .filter((u) => u.sessionUpdate === 'tool_call' || u.sessionUpdate === 'tool_call_update') as (
      | (ToolCall & { sessionUpdate: 'tool_call' })
      | (ToolCallUpdate & { sessionUpdate: 'tool_call_update' })
    )[]

  it('runs read_file with arguments streamed in pieces and feeds the result back to the model', async () => {
    writeFileSync(join(f.workspace, 'notes.txt'), 'alpha\nbeta\ngamma\n')
    const sessionId = await f.session()
    f.model.enqueue(
      {
        toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'notes.txt', line: 2 } }],
        chunkSize: 3,
      },
      (request) => {
        const tool = request.body.messages.find((m) => m.role === 'tool')
        return { text: `The file says: ${tool?.content}` }
      },
    )
    const result = await f.acp.prompt(sessionId, 'What is in notes.txt after the first line?')
    expect(result.stopReason).toBe('end_turn')

    const cards = toolCards(sessionId)
    expect(cards.map((c) => c.status)).toEqual(['pending', 'in_progress', 'completed'])
    expect(cards[0]).toMatchObject({
      sessionUpdate: 'tool_call',
      toolCallId: 'call_1',
      title: 'Read notes.txt:2',
      kind: 'read',
      locations: [{ path: join(f.workspace, 'notes.txt'), line: 2 }],
      rawInput: { path: 'notes.txt', line: 2 },
    })
    expect(cards[2]?.rawOutput).toMatchObject({ content: 'beta\ngamma\n', startLine: 2, totalLines: 3 })

    const second = f.model.chatRequests()[1]
    const assistant = second?.body.messages.find((m) => m.role === 'assistant')
    expect(assistant?.tool_calls).toEqual([
      {
        id: 'call_1',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"notes.txt","line":2}' },
      },
    ])
    expect(f.acp.agentText(sessionId)).toBe(
      'The file says: beta\ngamma\n\n[truncated: showed lines 2-3 of 3; pass line/limit to read more]',
    )
    expect(f.model.chatRequests()[0]?.body.tools?.map((t) => t.function.name)).toContain('read_file')
  })

  it('sends validation errors back to the model, which can correct the call', async () => {
    writeFileSync(join(f.workspace, 'a.txt'), 'content of a')
    const sessionId = await f.session()
    f.model.enqueue(
      { toolCalls: [{ id: 'bad', name: 'read_file', arguments: { file: 'a.txt' } }] },
      { toolCalls: [{ id: 'good', name: 'read_file', arguments: { path: 'a.txt' } }] },
      { text: 'fixed it' },
    )
    const result = await f.acp.prompt(sessionId, 'read a.txt')
    expect(result.stopReason).toBe('end_turn')
    const feedback = f.model.chatRequests()[1]?.body.messages.find((m) => m.role === 'tool')?.content ?? ''
    expect(feedback).toContain('invalid arguments for read_file')
    expect(feedback).toContain('path')
    const statuses = toolCards(sessionId).map((c) => `${c.toolCallId}:${c.status}`)
    expect(statuses).toEqual([
      'bad:pending',
      'bad:failed',
      'good:pending',
      'good:in_progress',
      'good:completed',
    ])
  })

  it('answers malformed JSON arguments and unknown tools with an error the model can read', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      {
        toolCalls: [
          { id: 'c1', name: 'read_file', arguments: '{"path": "a.txt"' },
          { id: 'c2', name: 'launch_rocket', arguments: {} },
        ],
      },
      { text: 'ok' },
    )
    await f.acp.prompt(sessionId, 'go')
    const tools = f.model.chatRequests()[1]?.body.messages.filter((m) => m.role === 'tool') ?? []
    expect(tools[0]?.content).toMatch(/not valid JSON/)
    expect(tools[1]?.content).toMatch(/unknown tool "launch_rocket".*read_file/s)
  })

  it('stops after the configured number of rounds of only-invalid tool calls', async () => {
    const sessionId = await f.session()
    f.model.always({ toolCalls: [{ name: 'read_file', arguments: { nope: true } }] })
    const result = await f.acp.prompt(sessionId, 'go')
    expect(result.stopReason).toBe('end_turn')
    expect(f.model.chatRequests()).toHaveLength(3)
    expect(f.acp.agentText(sessionId)).toMatch(/invalid tool calls 3 times/)
  })

  it('stops with max_turn_requests when the model never stops calling tools', async () => {
    f.writeConfig({ maxTurnRequests: 3 })
    await f.restart()
    writeFileSync(join(f.workspace, 'loop.txt'), 'again')
    const sessionId = await f.session()
    f.model.always({ toolCalls: [{ name: 'read_file', arguments: { path: 'loop.txt' } }] })
    const result = await f.acp.prompt(sessionId, 'loop forever')
    expect(result.stopReason).toBe('max_turn_requests')
    expect(f.model.chatRequests()).toHaveLength(3)
  })

  it('refuses paths outside the workspace, through .. or absolute paths or symlinks, as failed tool calls', async () => {
    const outside = makeTempDir('punie-outside-')
    writeFileSync(join(outside.path, 'secret.txt'), 'TOP SECRET')
    symlinkSync(outside.path, join(f.workspace, 'escape'))
    const sessionId = await f.session()
    f.model.enqueue(
      {
        toolCalls: [
          { id: 'up', name: 'read_file', arguments: { path: '../secret.txt' } },
          { id: 'abs', name: 'read_file', arguments: { path: join(outside.path, 'secret.txt') } },
          { id: 'link', name: 'read_file', arguments: { path: 'escape/secret.txt' } },
        ],
      },
      { text: 'could not read it' },
    )
    await f.acp.prompt(sessionId, 'read the secret')
    outside.remove()
    const ends = toolCards(sessionId).filter((c) => c.status === 'failed')
    expect(ends.map((c) => c.toolCallId)).toEqual(['up', 'abs', 'link'])
    const results = f.model.chatRequests()[1]?.body.messages.filter((m) => m.role === 'tool') ?? []
    for (const r of results) {
      expect(r.content).toMatch(/outside the workspace/)
      expect(r.content).not.toContain('TOP SECRET')
    }
  })
})
