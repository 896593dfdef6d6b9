import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods, type SessionUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'

const kinds = (updates: SessionUpdate[]) => updates.map((u) => u.sessionUpdate)

describe('session lifecycle over ACP', () => {
  const f = useProtocolFixture()

  it('advertises its capabilities on initialize', async () => {
    const response = await f.acp.initialize()
    expect(response.protocolVersion).toBe(1)
    expect(response.agentInfo?.name).toBe('punie')
    expect(response.agentCapabilities).toMatchObject({
      loadSession: true,
      promptCapabilities: { embeddedContext: true },
      sessionCapabilities: { list: {}, resume: {}, close: {} },
    })
  })

  it('offers slash commands and a model picker with each new session', async () => {
    const created = await f.acp.newSession(f.workspace)
    expect(created.configOptions?.[0]).toMatchObject({
      id: 'model',
      category: 'model',
      currentValue: f.model.spec,
    })
    await f.acp.waitFor(() => kinds(f.acp.updates(created.sessionId)).includes('available_commands_update'))
    const update = f.acp
      .updates(created.sessionId)
      .find((u) => u.sessionUpdate === 'available_commands_update')
    const names =
      update?.sessionUpdate === 'available_commands_update' ? update.availableCommands.map((c) => c.name) : []
    expect(names).toEqual(['help', 'clear', 'compact', 'model', 'mode', 'context', 'skills'])
  })

  it('replays the whole conversation on session/load after the agent restarts', async () => {
    writeFileSync(join(f.workspace, 'README.md'), '# Demo project\n')
    const sessionId = await f.session()
    f.model.enqueue(
      {
        reasoning: 'Look at the readme.',
        toolCalls: [{ id: 'r1', name: 'read_file', arguments: { path: 'README.md' } }],
      },
      { text: 'It is a demo project.' },
      { text: 'You asked about the README.' },
    )
    await f.acp.prompt(sessionId, 'What is this project?')
    await f.acp.prompt(sessionId, 'What did I ask?')

    await f.restart()
    f.acp.notifications.length = 0
    await f.acp.loadSession(sessionId, f.workspace)
    const replay = f.acp.updates(sessionId).filter((u) => u.sessionUpdate !== 'available_commands_update')
    expect(kinds(replay)).toEqual([
      'user_message_chunk',
      'session_info_update',
      'agent_thought_chunk',
      'usage_update',
      'tool_call',
      'tool_call_update',
      'tool_call_update',
      'agent_message_chunk',
      'usage_update',
      'user_message_chunk',
      'agent_message_chunk',
      'usage_update',
    ])
    const texts = replay.map((u) =>
      'content' in u && u.content && !Array.isArray(u.content) && u.content.type === 'text'
        ? u.content.text
        : '',
    )
    expect(texts).toContain('What is this project?')
    expect(texts).toContain('It is a demo project.')
    expect(texts).toContain('You asked about the README.')

    // The restored session keeps its model context too.
    f.model.enqueue({ text: 'third answer' })
    await f.acp.prompt(sessionId, 'And now?')
    const roles = f.model
      .chatRequests()
      .at(-1)
      ?.body.messages.map((m) => m.role)
    expect(roles).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'user'])
  })

  it('lists sessions newest first, filtered by cwd, page by page', async () => {
    const other = join(f.workspace, 'other')
    mkdirSync(other)
    const ids: string[] = []
    for (let i = 0; i < 55; i++) ids.push((await f.acp.newSession(f.workspace)).sessionId)
    const elsewhere = (await f.acp.newSession(other)).sessionId

    const first = await f.acp.agent.request(methods.agent.session.list, { cwd: f.workspace })
    expect(first.sessions).toHaveLength(50)
    expect(first.nextCursor).toBeTruthy()
    const second = await f.acp.agent.request(methods.agent.session.list, {
      cwd: f.workspace,
      cursor: first.nextCursor,
    })
    expect(second.sessions).toHaveLength(5)
    expect(second.nextCursor).toBeFalsy()
    const listed = [...first.sessions, ...second.sessions].map((s) => s.sessionId)
    expect(new Set(listed)).toEqual(new Set(ids))
    expect(listed).not.toContain(elsewhere)

    const all = await f.acp.agent.request(methods.agent.session.list, {})
    const times = all.sessions.map((s) => Date.parse(s.updatedAt ?? ''))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(all.sessions[0]?.updatedAt).toBe(new Date(Math.max(...times)).toISOString())

    await expect(
      f.acp.agent.request(methods.agent.session.list, { cursor: 'not-a-cursor' }),
    ).rejects.toMatchObject({
      code: -32602,
    })
  })

  it('resumes a session without replaying it, and closes it', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'first' }, { text: 'second' })
    await f.acp.prompt(sessionId, 'one')
    await f.restart()
    f.acp.notifications.length = 0
    await f.acp.agent.request(methods.agent.session.resume, { sessionId, cwd: f.workspace })
    expect(kinds(f.acp.updates(sessionId)).filter((k) => k !== 'available_commands_update')).toEqual([])
    await f.acp.prompt(sessionId, 'two')
    expect(f.acp.agentText(sessionId)).toBe('second')

    await f.acp.agent.request(methods.agent.session.close, { sessionId })
    await expect(f.acp.prompt(sessionId, 'three')).rejects.toMatchObject({ code: -32002 })
  })

  it('runs /help, /model and /clear without asking the model', async () => {
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, '/help')
    expect(f.acp.agentText(sessionId)).toContain('/clear')
    expect(f.acp.agentText(sessionId)).toContain(f.model.spec)

    let mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, '/model ollama:qwen2.5-coder:7b')
    expect(f.acp.agentText(sessionId, mark)).toContain('Model switched to `ollama:qwen2.5-coder:7b`')
    const picker = f.acp.updates(sessionId).find((u) => u.sessionUpdate === 'config_option_update')
    expect(picker).toMatchObject({
      configOptions: expect.arrayContaining([
        expect.objectContaining({ id: 'model', currentValue: 'ollama:qwen2.5-coder:7b' }),
      ]),
    })

    mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, '/model bogus-provider:x')
    expect(f.acp.agentText(sessionId, mark)).toContain('unknown provider "bogus-provider"')
    expect(f.model.chatRequests()).toHaveLength(0)

    await f.acp.prompt(sessionId, `/model ${f.model.spec}`)
    f.model.enqueue({ text: 'remembered' }, { text: 'fresh start' })
    await f.acp.prompt(sessionId, 'remember the number 42')
    await f.acp.prompt(sessionId, '/clear')
    await f.acp.prompt(sessionId, 'what number?')
    const last = f.model.chatRequests().at(-1)
    expect(last?.body.messages.map((m) => m.role)).toEqual(['system', 'user'])
    expect(JSON.stringify(last?.body.messages)).not.toContain('42')
  })

  it('switches the model through the config option', async () => {
    const sessionId = await f.session()
    const switched = await f.acp.agent.request(methods.agent.session.setConfigOption, {
      sessionId,
      configId: 'model',
      value: 'lmstudio:qwen3-coder-30b',
    })
    expect(switched.configOptions[0]).toMatchObject({ currentValue: 'lmstudio:qwen3-coder-30b' })
    await expect(
      f.acp.agent.request(methods.agent.session.setConfigOption, {
        sessionId,
        configId: 'model',
        value: 'nope:x',
      }),
    ).rejects.toMatchObject({ code: -32602 })
    await expect(
      f.acp.agent.request(methods.agent.session.setConfigOption, {
        sessionId,
        configId: 'mode',
        value: 'fast',
      }),
    ).rejects.toMatchObject({ code: -32602 })
  })

  it('answers bad requests with JSON-RPC errors and keeps serving', async () => {
    await expect(f.acp.agent.request('session/teleport', {})).rejects.toMatchObject({ code: -32601 })
    await expect(f.acp.agent.request(methods.agent.session.new, { cwd: 42 } as never)).rejects.toMatchObject({
      code: -32602,
    })
    await expect(
      f.acp.agent.request(methods.agent.session.new, { cwd: 'relative/dir', mcpServers: [] }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('absolute path'),
    })
    await expect(
      f.acp.agent.request(methods.agent.session.new, { cwd: join(f.workspace, 'missing'), mcpServers: [] }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('not an existing directory') })
    await expect(f.acp.prompt('no-such-session', 'hi')).rejects.toMatchObject({ code: -32002 })
    await expect(
      f.acp.agent.request(methods.agent.session.load, {
        sessionId: 'no-such-session',
        cwd: f.workspace,
        mcpServers: [],
      }),
    ).rejects.toMatchObject({ code: -32002 })

    const sessionId = await f.session()
    f.model.enqueue({ text: 'still fine' })
    await f.acp.prompt(sessionId, 'hello')
    expect(f.acp.agentText(sessionId)).toBe('still fine')
  })
})
