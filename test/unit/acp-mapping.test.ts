import { describe, expect, it } from 'vitest'
import {
  acpPath,
  coalesceDeltas,
  eventToUpdates,
  fromPromptBlock,
  parseSetModelParams,
  permissionToolCall,
  sessionConfigOptions,
  sessionModels,
  sessionModes,
  toAcpContent,
  toPromptBlocks,
} from '../../src/acp/mapping.js'
import type { AgentEvent, AgentEventBody } from '../../src/session/events.js'

let seq = 0
const ev = (body: AgentEventBody): AgentEvent =>
  ({ ...body, sessionId: 's', seq: ++seq, at: 0 }) as AgentEvent
const ctx = (mode: 'live' | 'replay') => ({
  mode,
  cwd: '/work/project',
  configOptions: () =>
    sessionConfigOptions({ model: 'ollama:x', mode: 'ask', toolMode: 'direct' }, ['local']),
})

describe('eventToUpdates', () => {
  it('shows the user prompt only when replaying', () => {
    const start = ev({ type: 'turn.start', turnId: 't', prompt: [{ type: 'text', text: 'hi' }] })
    expect(eventToUpdates(start, ctx('live'))).toEqual([])
    expect(eventToUpdates(start, ctx('replay'))).toEqual([
      { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'hi' } },
    ])
  })

  it('maps a tool call through pending, in progress and failed with the error as content', () => {
    const start = ev({
      type: 'tool.start',
      turnId: 't',
      toolCallId: 'c',
      name: 'read_file',
      kind: 'read',
      title: 'Read a.py',
      locations: [{ path: 'a.py' }],
      input: { path: 'a.py' },
      content: [],
      backend: 'local',
    })
    expect(eventToUpdates(start, ctx('live'))).toEqual([
      {
        sessionUpdate: 'tool_call',
        toolCallId: 'c',
        title: 'Read a.py',
        kind: 'read',
        status: 'pending',
        locations: [{ path: '/work/project/a.py' }],
        rawInput: { path: 'a.py' },
        _meta: { punie: { tool: 'read_file' } },
      },
    ])
    const end = ev({
      type: 'tool.end',
      turnId: 't',
      toolCallId: 'c',
      name: 'read_file',
      status: 'failed',
      error: 'no such file',
      durationMs: 1,
    })
    expect(eventToUpdates(end, ctx('live'))).toEqual([
      {
        sessionUpdate: 'tool_call_update',
        toolCallId: 'c',
        status: 'failed',
        rawOutput: { error: 'no such file' },
        content: [{ type: 'content', content: { type: 'text', text: 'no such file' } }],
      },
    ])
  })

  it('reports usage against the context window and model switches as a config update', () => {
    const usage = ev({
      type: 'usage',
      turnId: 't',
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
      contextWindow: 100,
    })
    expect(eventToUpdates(usage, ctx('live'))).toEqual([
      { sessionUpdate: 'usage_update', used: 7, size: 100 },
    ])
    const [update] = eventToUpdates(ev({ type: 'session.model', model: 'ollama:x' }), ctx('live'))
    expect(update).toMatchObject({
      sessionUpdate: 'config_option_update',
      configOptions: expect.arrayContaining([
        expect.objectContaining({ id: 'model', currentValue: 'ollama:x' }),
      ]),
    })
  })

  it('sends nothing for bookkeeping events', () => {
    for (const body of [
      { type: 'turn.end', turnId: 't', stopReason: 'end_turn', durationMs: 1 },
      { type: 'model.start', turnId: 't', request: 1, model: 'm', baseURL: 'u' },
      { type: 'session.cleared' },
    ] as AgentEventBody[]) {
      expect(eventToUpdates(ev(body), ctx('live'))).toEqual([])
    }
  })
})

describe('coalesceDeltas', () => {
  it('joins consecutive deltas of one message and keeps different messages apart', () => {
    const out = coalesceDeltas([
      ev({ type: 'message.delta', turnId: 't', messageId: 'm1', text: 'Hel' }),
      ev({ type: 'message.delta', turnId: 't', messageId: 'm1', text: 'lo' }),
      ev({ type: 'thought.delta', turnId: 't', messageId: 'm1', text: 'hmm' }),
      ev({ type: 'message.delta', turnId: 't', messageId: 'm2', text: 'Bye' }),
    ])
    expect(out.map((e) => ('text' in e ? e.text : ''))).toEqual(['Hello', 'hmm', 'Bye'])
  })
})

describe('prompt blocks', () => {
  it('round-trips text, embedded resources and links, and marks what it cannot read', () => {
    const blocks = toPromptBlocks([
      { type: 'text', text: 'x' },
      { type: 'resource', resource: { uri: 'file:///a', text: 'body', mimeType: 'text/plain' } },
      { type: 'resource_link', uri: 'file:///b', name: 'b' },
      { type: 'image', data: 'AAAA', mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'file:///c', blob: 'AAAA' } },
    ])
    expect(blocks.map((b) => b.type)).toEqual(['text', 'resource', 'resource_link', 'image', 'unsupported'])
    expect(fromPromptBlock(blocks[1] as never)).toEqual({
      type: 'resource',
      resource: { uri: 'file:///a', text: 'body', mimeType: 'text/plain' },
    })
  })

  it('lists the current model first and once, and the permission modes', () => {
    const [option, mode] = sessionConfigOptions({ model: 'local', mode: 'read-only', toolMode: 'code' }, [
      'local',
      'ollama:x',
    ])
    expect(option?.type === 'select' && option.options).toEqual([
      { value: 'local', name: 'local' },
      { value: 'ollama:x', name: 'ollama:x' },
    ])
    expect(mode).toMatchObject({ id: 'mode', category: 'mode', currentValue: 'read-only' })
    expect(mode?.type === 'select' && mode.options.map((o) => ('value' in o ? o.value : ''))).toEqual([
      'ask',
      'accept-edits',
      'read-only',
      'yolo',
    ])
  })
})

describe('older session fields and paths', () => {
  it('gives modes as the permission modes and models as the choices, the current one first', () => {
    const modes = sessionModes('accept-edits')
    expect(modes.currentModeId).toBe('accept-edits')
    expect(modes.availableModes.map((m) => m.id)).toEqual(['ask', 'accept-edits', 'read-only', 'yolo'])
    expect(sessionModels('b', ['a', 'b', 'local'])).toEqual({
      currentModelId: 'b',
      availableModels: [
        { modelId: 'b', name: 'b' },
        { modelId: 'a', name: 'a' },
        { modelId: 'local', name: 'local' },
      ],
    })
  })

  it('sends a mode change both as current_mode_update and as config_option_update, live only', () => {
    const change = ev({ type: 'session.mode', mode: 'yolo' })
    const updates = eventToUpdates(change, ctx('live'))
    expect(updates.map((u) => u.sessionUpdate)).toEqual(['current_mode_update', 'config_option_update'])
    expect(updates[0]).toEqual({ sessionUpdate: 'current_mode_update', currentModeId: 'yolo' })
    expect(eventToUpdates(change, ctx('replay'))).toEqual([])
  })

  it('checks session/set_model params, refusing anything but two strings', () => {
    expect(parseSetModelParams({ sessionId: 's', modelId: 'm' })).toEqual({ sessionId: 's', modelId: 'm' })
    for (const bad of [
      undefined,
      {},
      { sessionId: 's' },
      { sessionId: 's', modelId: '' },
      { sessionId: 1, modelId: 'm' },
    ])
      expect(() => parseSetModelParams(bad)).toThrow(/session\/set_model takes/)
  })

  it('makes relative paths absolute against the cwd, in locations and diffs, and keeps absolute ones', () => {
    expect(acpPath('a/b.py', '/w')).toBe('/w/a/b.py')
    expect(acpPath('/elsewhere/c.py', '/w')).toBe('/elsewhere/c.py')
    expect(acpPath('../up.py', '/w/sub')).toBe('/w/up.py')
    expect(toAcpContent({ type: 'diff', path: 'x.py', oldText: null, newText: 'y' }, '/w')).toEqual({
      type: 'diff',
      path: '/w/x.py',
      oldText: null,
      newText: 'y',
    })
    const call = permissionToolCall(
      {
        toolCallId: 'c',
        toolName: 'edit_file',
        title: 'Edit x.py',
        kind: 'edit',
        input: {},
        locations: [{ path: 'x.py', line: 3 }],
        content: [],
      },
      '/w',
    )
    expect(call.locations).toEqual([{ path: '/w/x.py', line: 3 }])
  })

  it('keeps images of the known formats within the size limit, and notes the others', () => {
    const big = 'A'.repeat(Math.ceil((4 * 1024 * 1024 + 3) / 3) * 4)
    expect(
      toPromptBlocks([
        { type: 'image', mimeType: 'image/jpeg', data: 'AAAA', uri: 'file:///a.jpg' },
        { type: 'image', mimeType: 'image/bmp', data: 'AAAA' },
        { type: 'image', mimeType: 'image/png', data: big },
      ]),
    ).toEqual([
      { type: 'image', mimeType: 'image/jpeg', data: 'AAAA', uri: 'file:///a.jpg' },
      { type: 'unsupported', kind: 'image of type image/bmp' },
      { type: 'unsupported', kind: 'image of 4 MB, over the 4 MB limit' },
    ])
  })
})
