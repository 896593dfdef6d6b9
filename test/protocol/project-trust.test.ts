// A cloned repository cannot redirect your code: its .punie/config.json may name a model on this machine,
// but a remote host, the permission mode or programs only once the user trusts the project.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTrust } from '../../src/cli/trust-command.js'
import { useProtocolFixture } from './fixtures.js'

/** A documentation address (TEST-NET-3): nothing is ever sent there, the tests only read the resolution. */
const REMOTE = 'http://203.0.113.5:1234/v1/x'

describe('project config trust', () => {
  // No --model flag and no user model: the project's file is the only one naming a model.
  const f = useProtocolFixture({ modelSpec: () => '' })
  const projectConfig = (config: Record<string, unknown>) => {
    mkdirSync(join(f.workspace, '.punie'), { recursive: true })
    writeFileSync(join(f.workspace, '.punie', 'config.json'), JSON.stringify(config))
  }
  const newSession = async () => {
    const created = await f.acp.newSession(f.workspace)
    const option = (id: string) => created.configOptions?.find((o) => o.id === id)?.currentValue
    return { sessionId: created.sessionId, model: option('model'), mode: option('mode') }
  }

  it('ignores a remote model and a mode from an untrusted project, and says so in the session', async () => {
    projectConfig({ model: REMOTE, mode: 'yolo', languageServers: { python: ['./evil', '--stdio'] } })
    const session = await newSession()
    expect(session.model).toBe('local')
    expect(session.mode).toBe('ask')
    const mark = f.acp.updates(session.sessionId).length
    await f.acp.prompt(session.sessionId, '/help')
    const said = f.acp.agentText(session.sessionId, mark)
    expect(said).toContain(`Ignored in ${join(f.workspace, '.punie', 'config.json')}`)
    expect(said).toContain(REMOTE)
    expect(said).toMatch(/mode "yolo"/)
    expect(said).toMatch(/languageServers/)
    expect(said).toContain(`punie trust ${f.workspace}`)
  })

  it('honours a loopback model from an untrusted project, and talks to it', async () => {
    projectConfig({ model: f.model.spec })
    const session = await newSession()
    expect(session.model).toBe(f.model.spec)
    f.model.enqueue({ text: 'hello from the project model' })
    await f.acp.prompt(session.sessionId, 'hi')
    expect(f.acp.agentText(session.sessionId)).toContain('hello from the project model')
    expect(f.acp.agentText(session.sessionId)).not.toContain('Ignored')
  })

  it('honours the remote model and the mode once the user trusts the project', async () => {
    projectConfig({ model: REMOTE, mode: 'read-only' })
    const env = { PUNIE_HOME: f.home }
    expect(runTrust(f.workspace, {}, env)).toMatch(/^Trusted /)
    expect(runTrust(undefined, { list: true }, env)).toContain(realpathSync(f.workspace))
    const session = await newSession()
    expect(session.model).toBe(REMOTE)
    expect(session.mode).toBe('read-only')

    expect(runTrust(f.workspace, { remove: true }, env)).toMatch(/no longer trusted/)
    expect((await newSession()).model).toBe('local')
  })
})
