// After `initialize`, the agent warms up while the client is idle: the core, the model client, the Code Mode
// stubs and the default model are ready before the first session/new and prompt ask for them.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SpawnedAgent, spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

async function until(done: () => boolean, what: string, deadlineMs = 15_000) {
  const deadline = Date.now() + deadlineMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('warm-up after initialize', () => {
  let model: ScriptedModelServer
  let home: ReturnType<typeof makeTempDir>
  let workspace: ReturnType<typeof makeTempDir>
  let agent: SpawnedAgent | undefined
  beforeEach(async () => {
    model = await ScriptedModelServer.start()
    home = makeTempDir('punie-home-')
    workspace = makeTempDir('punie-ws-')
  })
  afterEach(async () => {
    await agent?.harness.close()
    agent = undefined
    await model.close()
    home.remove()
    workspace.remove()
  })

  it('loads the model client, the stubs and the default model before any session is asked for', async () => {
    // A spec without a model name: resolving it asks the server which models it serves.
    agent = spawnAgent({ home: home.path, args: ['--model', model.baseURL, '--log-level', 'debug'] })
    await agent.harness.initialize()
    const log = join(home.path, 'logs', 'punie.log')
    const logText = () => (existsSync(log) ? readFileSync(log, 'utf8') : '')
    await until(() => logText().includes('warm-up: default model'), 'the warm-up to finish')
    expect(logText()).toContain('resolved to scripted-model')
    for (const step of ['model client', 'Code Mode stubs', 'tool schemas', 'default model']) {
      expect(logText()).toMatch(new RegExp(`warm-up: ${step} in \\d+ ms`))
    }
    // The session and its first turn find the model resolved: it is not resolved again.
    const { sessionId } = await agent.harness.newSession(workspace.path)
    model.enqueue({ text: 'warm' })
    await agent.harness.prompt(sessionId, 'hello')
    expect(agent.harness.agentText(sessionId)).toContain('warm')
    expect(logText().match(/resolved to scripted-model/g)).toHaveLength(1)
    expect(model.chatRequests()).toHaveLength(1)
  })
})
