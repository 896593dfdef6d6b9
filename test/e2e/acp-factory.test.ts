// acp-factory 0.1.14 (a library nobody here wrote, on ACP SDK 0.18) spawns `punie` and drives it: prompt, a
// write with permission approved and denied, cancel, set mode, set model with session/set_model and back
// through the config option, session list and load. Its Session has setMode but no setModel, no config
// options and no session list: those steps go through its `getConnection()`, the SDK 0.18 connection it uses.
// Its prompt() can drop an update that was still buffered when the prompt's answer came (it races the answer
// against the next update and forgets the loser), so answers are read from what its client handler received.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AgentFactory, type AgentHandle, type PermissionMode, type Session } from 'acp-factory'
import { describe, expect, it, onTestFinished } from 'vitest'
import { useClientWorld } from '../helpers/acp-clients.js'
import { BIN } from '../helpers/acp-harness.js'

type Update = { sessionUpdate: string; [key: string]: unknown }

describe('acp-factory drives punie', () => {
  const w = useClientWorld('acp-factory')
  const second = () => `${w.model.baseURL}/second-model`
  let registered = 0

  /** Every session/update the client received, in order (tapped at acp-factory's client handler). */
  const received: Update[] = []

  const spawnPunie = async (permissionMode: PermissionMode = 'auto-approve'): Promise<AgentHandle> => {
    const name = `punie-${process.pid}-${registered++}`
    AgentFactory.register(name, {
      command: process.execPath,
      args: [BIN, '--model', w.model.spec],
      env: { HOME: w.home, PUNIE_HOME: w.punieHome },
    })
    const agent = await AgentFactory.spawn(name, { permissionMode })
    onTestFinished(() => agent.close())
    const handler = (agent as unknown as { clientHandler: { sessionUpdate(p: unknown): Promise<void> } })
      .clientHandler
    const deliver = handler.sessionUpdate.bind(handler)
    handler.sessionUpdate = (params) => {
      received.push((params as { update: Update }).update)
      return deliver(params)
    }
    w.note(`spawned ${name}: ${JSON.stringify(agent.capabilities)}`)
    return agent
  }

  /** Runs one prompt to its end, noting every update in the transcript. */
  const prompt = async (session: Session, text: string, onUpdate?: (u: Update) => void) => {
    const from = received.length
    for await (const update of session.prompt(text)) onUpdate?.(update as Update)
    // The prompt's answer has come, and every update of its turn before it.
    const updates = received.slice(from)
    w.note(
      `\n> prompt ${JSON.stringify(text)}\n${updates.map((u) => `  ${JSON.stringify(u).slice(0, 400)}`).join('\n')}`,
    )
    const answer = updates
      .filter((u) => u.sessionUpdate === 'agent_message_chunk')
      .map((u) => (u.content as { text?: string }).text ?? '')
      .join('')
    return { updates, answer }
  }

  it('creates a session that lists the modes and models, and prompts it', async () => {
    const agent = await spawnPunie()
    const session = await agent.createSession(w.workspace)
    w.note(`session ${session.id}: modes ${session.modes} models ${session.models}`)
    expect(session.modes).toEqual(['ask', 'accept-edits', 'read-only', 'yolo'])
    expect(session.models).toEqual([w.model.spec, 'local'])
    w.model.enqueue({ text: 'Hello from Punie.' })
    expect((await prompt(session, 'hello')).answer).toBe('Hello from Punie.')
  })

  it('sees a failed turn as a rejected prompt with the reason, and the session goes on', async () => {
    const agent = await spawnPunie()
    const session = await agent.createSession(w.workspace)
    w.model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' })
    const failed = await prompt(session, 'hello').then(
      () => undefined,
      (error: { code?: number; message?: string }) => error,
    )
    w.note(`failed: ${JSON.stringify(failed)}`)
    expect(failed).toMatchObject({ code: -32603, message: expect.stringMatching(/CUDA out of memory/) })
    w.model.enqueue({ text: 'Back.' })
    expect((await prompt(session, 'again')).answer).toBe('Back.')
  })

  it('asks permission for a write: approved it is written, denied it is not', async () => {
    const agent = await spawnPunie('auto-approve')
    const session = await agent.createSession(w.workspace)
    w.model.enqueue(
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: '# notes\n' } }] },
      { text: 'Written.' },
    )
    const approved = await prompt(session, 'write notes')
    expect(readFileSync(join(w.workspace, 'notes.md'), 'utf8')).toBe('# notes\n')
    const card = approved.updates.find((u) => u.sessionUpdate === 'tool_call')
    expect(card?.locations).toEqual([{ path: join(w.workspace, 'notes.md') }])

    agent.setPermissionMode('auto-deny')
    w.model.enqueue(
      { toolCalls: [{ name: 'write_file', arguments: { path: 'other.md', content: 'x' } }] },
      { text: 'Not written.' },
    )
    const denied = await prompt(session, 'write other notes')
    expect(existsSync(join(w.workspace, 'other.md'))).toBe(false)
    expect(denied.updates).toContainEqual(
      expect.objectContaining({ sessionUpdate: 'tool_call_update', status: 'failed' }),
    )
    expect(denied.answer).toBe('Not written.')
  })

  it('cancels a running prompt; what arrived is a beginning of the answer, and the next prompt works', async () => {
    const agent = await spawnPunie()
    const session = await agent.createSession(w.workspace)
    const full = 'slow '.repeat(400)
    w.model.enqueue({ text: full, chunkSize: 5, delayMs: 20 }, { text: 'Quick now.' })
    let cancelled = false
    const { answer } = await prompt(session, 'take your time', (u) => {
      if (!cancelled && u.sessionUpdate === 'agent_message_chunk') {
        cancelled = true
        void session.cancel()
      }
    })
    expect(cancelled).toBe(true)
    expect(full.startsWith(answer) && answer !== full).toBe(true)
    expect((await prompt(session, 'again')).answer).toBe('Quick now.')
    // acp-factory's prompt() yields updates only; the stop reason is read from the connection itself.
    w.model.enqueue({ text: full, chunkSize: 5, delayMs: 20 })
    const connection = agent.getConnection()
    const stopped = connection.prompt({
      sessionId: session.id,
      prompt: [{ type: 'text', text: 'slow again' }],
    })
    for (let i = 0; i < 100 && w.model.chatRequests().length < 3; i++)
      await new Promise((r) => setTimeout(r, 50))
    await session.cancel()
    expect((await stopped).stopReason).toBe('cancelled')
  })

  it('sets the mode, and the model with session/set_model and back through the config option', async () => {
    const agent = await spawnPunie()
    const session = await agent.createSession(w.workspace)
    const connection = agent.getConnection()
    const mark = received.length
    await session.setMode('read-only')
    await connection.unstable_setSessionModel({ sessionId: session.id, modelId: second() })
    w.model.enqueue({ text: 'second model here' }, { text: 'first model here' }, { text: 'second again' })
    const onSecond = await prompt(session, 'who are you?')
    expect(onSecond.answer).toBe('second model here')
    // What arrived since: the mode both ways, and the model option with every model still offered.
    const since = received.slice(mark)
    expect(since).toContainEqual({
      sessionUpdate: 'current_mode_update',
      currentModeId: 'read-only',
    })
    const options = since.filter((u) => u.sessionUpdate === 'config_option_update').pop()?.configOptions as {
      id: string
      currentValue: string
      options: { value: string }[]
    }[]
    const model = options.find((o) => o.id === 'model')
    expect(model?.currentValue).toBe(second())
    expect(model?.options.map((o) => o.value)).toEqual([second(), w.model.spec, 'local'])

    const back = await connection.setSessionConfigOption({
      sessionId: session.id,
      configId: 'model',
      value: w.model.spec,
    })
    expect(back.configOptions.find((o: { id: string }) => o.id === 'model')?.currentValue).toBe(w.model.spec)
    expect((await prompt(session, 'and now?')).answer).toBe('first model here')
    await connection.unstable_setSessionModel({ sessionId: session.id, modelId: second() })
    expect((await prompt(session, 'once more')).answer).toBe('second again')
    expect(w.model.chatRequests().map((r) => r.body.model)).toEqual([
      'second-model',
      'scripted-model',
      'second-model',
    ])

    const loaded = await connection.loadSession({ sessionId: session.id, cwd: w.workspace, mcpServers: [] })
    w.note(`loaded: ${JSON.stringify({ modes: loaded.modes?.currentModeId, models: loaded.models })}`)
    expect(loaded.modes?.currentModeId).toBe('read-only')
    expect(loaded.models?.currentModelId).toBe(second())
    expect(loaded.models?.availableModels.map((m: { modelId: string }) => m.modelId)).toEqual([
      second(),
      w.model.spec,
      'local',
    ])
  })

  it('lists its sessions and loads one in a new agent process, which goes on with the conversation', async () => {
    const first = await spawnPunie()
    const session = await first.createSession(w.workspace)
    w.model.enqueue({ text: 'Paris.' })
    await prompt(session, 'What is the capital of France?')
    const listed = await first.getConnection().listSessions({ cwd: w.workspace })
    w.note(`listed: ${JSON.stringify(listed)}`)
    expect(listed.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([session.id])
    await first.close()

    const again = await spawnPunie()
    const mark = received.length
    const loaded = await again.loadSession(session.id, w.workspace)
    expect(loaded.models).toEqual([w.model.spec, 'local'])
    w.model.enqueue({ text: 'About 2.1 million people.' })
    const next = await prompt(loaded, 'How many people live there?')
    // session/load replayed the conversation before answering.
    const replay = received.slice(mark, received.length - next.updates.length)
    w.note(`replayed: ${JSON.stringify(replay)}`)
    expect(replay).toContainEqual(
      expect.objectContaining({
        sessionUpdate: 'user_message_chunk',
        content: expect.objectContaining({ text: 'What is the capital of France?' }),
      }),
    )
    expect(next.answer).toBe('About 2.1 million people.')
    expect(w.model.chatRequests()[1]?.body.messages.map((m) => m.content)).toContain('Paris.')
  })
})
