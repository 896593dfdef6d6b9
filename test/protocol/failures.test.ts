import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { useProtocolFixture } from './fixtures.js'

describe('when the model server misbehaves the session carries on', () => {
  const f = useProtocolFixture()

  it('fails the prompt with the reason (HTTP 500), says it in the transcript, and answers the next prompt', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      { kind: 'http-error', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' },
      { text: 'back to normal' },
    )
    const failed = await f.acp.failedPrompt(sessionId, 'first')
    expect(failed.code).toBe(-32603)
    expect(failed.message).toMatch(/failed: .*CUDA out of memory/)
    expect(failed.data).toEqual({ punie: { error: failed.message } })
    expect(f.acp.agentText(sessionId)).toMatch(/failed: .*CUDA out of memory/)
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('back to normal')
  })

  it('reports a garbage body as a malformed response, streaming or not', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ kind: 'garbage', body: '<html>not json' }, { text: 'fine now' })
    await f.acp.failedPrompt(sessionId, 'first')
    expect(f.acp.agentText(sessionId)).toMatch(/malformed response|not valid JSON|not a chat completion/i)
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('fine now')
  })

  it('reports a connection dropped mid-stream, keeping what arrived', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      { text: 'partial answer that never ends', chunkSize: 4, dropAfterChunks: 3 },
      { text: 'whole answer' },
    )
    const failed = await f.acp.failedPrompt(sessionId, 'first')
    expect(failed.message).toMatch(/./)
    const text = f.acp.agentText(sessionId)
    expect(text.startsWith('part')).toBe(true)
    expect(text).toMatch(/⚠/)
    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'second')
    expect(f.acp.agentText(sessionId, mark)).toBe('whole answer')
  })

  it('cancels mid-stream with stop reason cancelled, and the next prompt works', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      { text: 'a very slow answer '.repeat(50), chunkSize: 2, delayMs: 20 },
      { text: 'after cancel' },
    )
    const running = f.acp.prompt(sessionId, 'take your time')
    await f.acp.waitFor(() => f.acp.agentText(sessionId).length >= 6)
    await f.acp.cancel(sessionId)
    const result = await running
    expect(result.stopReason).toBe('cancelled')
    const partial = f.acp.agentText(sessionId)
    const full = 'a very slow answer '.repeat(50)
    // What arrived before the cancel is a proper beginning of the answer, not all of it.
    expect(full.startsWith(partial) && partial !== full).toBe(true)

    const mark = f.acp.updates(sessionId).length
    const next = await f.acp.prompt(sessionId, 'now answer quickly')
    expect(next.stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId, mark)).toBe('after cancel')
    // The cancelled turn stays in the conversation the model sees.
    const roles = f.model.chatRequests()[1]?.body.messages.map((m) => m.role)
    expect(roles).toEqual(['system', 'user', 'assistant', 'user'])
  })

  it('tells the user which URL did not answer and how to fix it, then works once the server is back', async () => {
    const port = f.model.port
    await f.model.close()
    const sessionId = await f.session()
    const failed = await f.acp.failedPrompt(sessionId, 'hello?')
    expect(failed.message).toContain(`http://127.0.0.1:${port}/v1`)
    const message = f.acp.agentText(sessionId)
    expect(message).toContain(`http://127.0.0.1:${port}/v1`)
    expect(message).toMatch(/start LM Studio, Ollama or llama\.cpp.*--model/)

    f.model = await ScriptedModelServer.start(port)
    f.model.enqueue({ text: 'I am back.' })
    const mark = f.acp.updates(sessionId).length
    const again = await f.acp.prompt(sessionId, 'hello again')
    expect(again.stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId, mark)).toBe('I am back.')
  })

  it('rejects a second prompt while one is running, without disturbing the first', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'slow '.repeat(20), chunkSize: 5, delayMs: 10 })
    const first = f.acp.prompt(sessionId, 'one')
    await f.acp.waitFor(() => f.acp.agentText(sessionId).length > 0)
    await expect(f.acp.prompt(sessionId, 'two')).rejects.toMatchObject({ code: -32600 })
    expect((await first).stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId)).toBe('slow '.repeat(20))
  })
})

describe('a settings file Punie cannot use', () => {
  const f = useProtocolFixture()

  it('is named with its field in the answer to session/new, not reported as an internal error', async () => {
    f.writeConfig({ temperature: 'hot' })
    await f.restart()
    const userError = await f.acp.newSession(f.workspace).then(
      () => undefined,
      (error: { message: string }) => error,
    )
    expect(userError?.message).toBe(
      `settings file ${join(f.home, 'config.json')}: field "temperature": expected number, received string`,
    )
    expect(userError?.message).not.toMatch(/Internal error/)

    f.writeConfig({})
    await f.restart()
    mkdirSync(join(f.workspace, '.punie'))
    writeFileSync(
      join(f.workspace, '.punie', 'config.json'),
      JSON.stringify({ maxTokens: -1, colour: 'red' }),
    )
    const projectError = await f.acp.newSession(f.workspace).then(
      () => undefined,
      (error: { message: string }) => error,
    )
    expect(projectError?.message).toMatch(
      new RegExp(
        `^settings file ${join(f.workspace, '.punie', 'config.json')}: field "maxTokens": .*; unknown field "colour"$`,
      ),
    )
  })
})
