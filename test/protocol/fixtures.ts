import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import type { AcpHarness } from '../helpers/acp-harness.js'
import type { ScriptedIde } from '../helpers/ide.js'
import { type InProcessAgent, startInProcessAgent } from '../helpers/in-process.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

export interface ProtocolFixture {
  model: ScriptedModelServer
  agent: InProcessAgent
  acp: AcpHarness
  home: string
  workspace: string
  /** Creates a session in the workspace after initialize. */
  session(): Promise<string>
  /** Restarts the in-process agent on the same home (a new process, as far as state goes). */
  restart(options?: { model?: string; ide?: ScriptedIde }): Promise<void>
  writeConfig(config: Record<string, unknown>): void
}

/** Each test gets a scripted model server, a temp PUNIE_HOME, a temp workspace and an initialized agent. */
export function useProtocolFixture(
  options: { modelSpec?: (server: ScriptedModelServer) => string; ide?: () => ScriptedIde } = {},
) {
  const fixture = {} as ProtocolFixture
  const cleanups: (() => Promise<void> | void)[] = []
  beforeEach(async () => {
    const home = makeTempDir('punie-home-')
    const workspace = makeTempDir('punie-ws-')
    cleanups.push(home.remove, workspace.remove)
    fixture.home = home.path
    fixture.workspace = workspace.path
    fixture.model = await ScriptedModelServer.start()
    const spec = () => (options.modelSpec ? options.modelSpec(fixture.model) : fixture.model.spec)
    const start = async (model?: string, ide = options.ide?.()) => {
      fixture.agent = startInProcessAgent({
        home: home.path,
        model: model ?? spec(),
        ...(ide ? { ide } : {}),
      })
      fixture.acp = fixture.agent.harness
      await fixture.acp.initialize()
    }
    await start()
    fixture.session = async () => (await fixture.acp.newSession(workspace.path)).sessionId
    fixture.restart = async (restartOptions = {}) => {
      await fixture.agent.close()
      await start(restartOptions.model, restartOptions.ide ?? options.ide?.())
    }
    fixture.writeConfig = (config) => {
      mkdirSync(home.path, { recursive: true })
      writeFileSync(join(home.path, 'config.json'), JSON.stringify(config))
    }
  })
  afterEach(async () => {
    await fixture.agent?.close()
    await fixture.model?.close()
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })
  return fixture
}
