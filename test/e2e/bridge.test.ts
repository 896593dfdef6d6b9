// `punie connect` between an SDK client (a scripted IDE over stdio) and a real `punie serve`: frames pass both
// ways, and when the server restarts (on another port) the bridge reconnects and the session carries on.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/client/bridge.js'
import { type SpawnedAgent, spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedIde } from '../helpers/ide.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { type ServedPunie, startServe } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('backoffDelay', () => {
  it('doubles up to the ceiling, with jitter between half and all of it', () => {
    expect(backoffDelay(0, 250, 10_000, () => 1)).toBe(250)
    expect(backoffDelay(3, 250, 10_000, () => 1)).toBe(2000)
    expect(backoffDelay(30, 250, 10_000, () => 1)).toBe(10_000)
    expect(backoffDelay(3, 250, 10_000, () => 0)).toBe(1000)
  })
})

describe('punie connect', () => {
  it('bridges an IDE to the server, reconnects after a restart and resumes the session', async () => {
    const home = makeTempDir('punie-home-')
    const workspace = makeTempDir('punie-ws-')
    const model = await ScriptedModelServer.start()
    cleanups.push(home.remove, workspace.remove, () => model.close())
    model.always((request) => ({
      text: `You said: ${[...request.body.messages].reverse().find((m) => m.role === 'user')?.content}`,
    }))
    let served: ServedPunie = await startServe({ home: home.path, args: ['--model', model.spec] })
    cleanups.push(async () => {
      await served.stop('SIGKILL')
    })
    const ide = new ScriptedIde()
    const bridge: SpawnedAgent = spawnAgent({ home: home.path, args: ['connect'], ide })
    cleanups.push(() => bridge.harness.close())
    const acp = bridge.harness

    await acp.initialize()
    const { sessionId } = await acp.newSession(workspace.path)
    expect((await acp.prompt(sessionId, 'first')).stopReason).toBe('end_turn')
    expect(acp.agentText(sessionId)).toBe('You said: first')

    const firstPort = served.url
    expect(await served.stop('SIGTERM')).toBe(0)
    served = await startServe({ home: home.path, args: ['--model', model.spec] })
    expect(served.url).not.toBe(firstPort)

    // The file is read through the IDE: the resumed session is attached to the bridge's new connection.
    writeFileSync(join(workspace.path, 'plan.md'), 'step one\n')
    model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'plan.md' } }] })
    model.enqueue((request) => ({
      text: (request.body.messages.find((m) => m.role === 'tool')?.content ?? '').includes('step one')
        ? 'The plan starts with step one.'
        : 'no plan',
    }))
    const before = acp.updates(sessionId).length
    expect((await acp.prompt(sessionId, 'what is the plan?')).stopReason).toBe('end_turn')
    expect(acp.agentText(sessionId, before)).toBe('The plan starts with step one.')
    expect(ide.reads).toContain(join(workspace.path, 'plan.md'))
    // The conversation went on where it was: the first turn is in the model's context.
    const last = model.chatRequests().at(-1)
    expect(last?.body.messages.map((m) => m.content)).toContain('first')
    expect(bridge.strayStdout).toEqual([])

    // The IDE restarts, and with it the bridge: its history still lists the session, which loads and answers.
    await bridge.harness.close()
    const again = spawnAgent({ home: home.path, args: ['connect'], ide: new ScriptedIde() })
    cleanups.push(() => again.harness.close())
    await again.harness.initialize()
    const listed = await again.harness.agent.request(methods.agent.session.list, {})
    expect(listed.sessions.map((s) => s.sessionId)).toEqual([sessionId])
    await again.harness.loadSession(sessionId, workspace.path)
    expect(again.harness.agentText(sessionId)).toContain('The plan starts with step one.')
    expect((await again.harness.prompt(sessionId, 'and now?')).stopReason).toBe('end_turn')
  })

  it('passes a failed turn to the IDE as the error reply the server gave, and the session goes on', async () => {
    const home = makeTempDir('punie-home-')
    const workspace = makeTempDir('punie-ws-')
    const model = await ScriptedModelServer.start()
    cleanups.push(home.remove, workspace.remove, () => model.close())
    const served = await startServe({ home: home.path, args: ['--model', model.spec] })
    cleanups.push(async () => {
      await served.stop('SIGKILL')
    })
    const bridge = spawnAgent({ home: home.path, args: ['connect'], ide: new ScriptedIde() })
    cleanups.push(() => bridge.harness.close())
    const acp = bridge.harness
    await acp.initialize()
    const { sessionId } = await acp.newSession(workspace.path)
    model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"out of memory"}}' })
    const failed = await acp.prompt(sessionId, 'hello').then(
      () => undefined,
      (error: { code: number; message: string; data: unknown }) => error,
    )
    expect(failed).toMatchObject({ code: -32603, message: expect.stringMatching(/out of memory/) })
    expect(failed?.data).toEqual({ punie: { error: failed?.message } })
    model.enqueue({ text: 'fine again' })
    const mark = acp.updates(sessionId).length
    expect((await acp.prompt(sessionId, 'again')).stopReason).toBe('end_turn')
    expect(acp.agentText(sessionId, mark)).toBe('fine again')
  })
})
