// A huge invalid value is named in the error, not sent back whole.
import { methods } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'

const HUGE = 'x'.repeat(1_000_000)

async function errorOf(request: Promise<unknown>): Promise<string> {
  try {
    await request
  } catch (error) {
    return JSON.stringify(error, Object.getOwnPropertyNames(error))
  }
  throw new Error('the request succeeded')
}

describe('errors about invalid values', () => {
  const f = useProtocolFixture()

  it('quote at most a few hundred characters of the value, for every request that echoes one', async () => {
    const sessionId = await f.session()
    const agent = f.acp.agent
    const errors: Record<string, string> = {
      'mode value': await errorOf(
        agent.request(methods.agent.session.setConfigOption, { sessionId, configId: 'mode', value: HUGE }),
      ),
      'config id': await errorOf(
        agent.request(methods.agent.session.setConfigOption, { sessionId, configId: HUGE, value: 'ask' }),
      ),
      'model spec': await errorOf(
        agent.request(methods.agent.session.setConfigOption, {
          sessionId,
          configId: 'model',
          value: `${HUGE}:model`,
        }),
      ),
      'model url': await errorOf(
        agent.request(methods.agent.session.setConfigOption, {
          sessionId,
          configId: 'model',
          value: `http://${HUGE}`,
        }),
      ),
      cwd: await errorOf(agent.request(methods.agent.session.new, { cwd: HUGE, mcpServers: [] })),
      'missing cwd': await errorOf(
        agent.request(methods.agent.session.new, { cwd: `/${HUGE}`, mcpServers: [] }),
      ),
      cursor: await errorOf(agent.request(methods.agent.session.list, { cursor: HUGE })),
      'session id': await errorOf(
        agent.request(methods.agent.session.load, { sessionId: HUGE, cwd: f.workspace, mcpServers: [] }),
      ),
    }
    const sizes = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.length]))
    console.info('error sizes:', sizes)
    for (const [what, error] of Object.entries(errors)) {
      expect(error.length, what).toBeLessThanOrEqual(2000)
      if (what !== 'session id') expect(error, what).toMatch(/xxx….{1,4} \(1000\d{3} characters\)/)
    }
  })
})
