// Agents spawned over stdio as an IDE runs them, each test with its own scripted model, home and workspace.
import { afterEach, beforeEach } from 'vitest'
import { type SpawnedAgent, spawnAgent } from './acp-harness.js'
import { ScriptedModelServer } from './scripted-model.js'
import { makeTempDir } from './temp.js'

/** Agents spawned over stdio against one scripted model, with a fresh home and workspace for each test. */
export interface SpawnedAgents {
  readonly model: ScriptedModelServer
  readonly home: string
  readonly workspace: string
  /** Spawns the agent with `--model` set to the scripted model (and `args`); killed after the test. */
  start(args?: string[]): SpawnedAgent
}

export function useSpawnedAgents(): SpawnedAgents {
  let model: ScriptedModelServer | undefined
  let home: ReturnType<typeof makeTempDir> | undefined
  let workspace: ReturnType<typeof makeTempDir> | undefined
  const running: SpawnedAgent[] = []
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSpawnedAgents: used outside a test')
    return value
  }
  beforeEach(async () => {
    model = await ScriptedModelServer.start()
    home = makeTempDir('punie-home-')
    workspace = makeTempDir('punie-ws-')
  })
  afterEach(async () => {
    for (const agent of running.splice(0)) {
      agent.child.kill('SIGKILL')
      await agent.exited
    }
    await model?.close()
    home?.remove()
    workspace?.remove()
  })
  return {
    get model() {
      return ready(model)
    },
    get home() {
      return ready(home).path
    },
    get workspace() {
      return ready(workspace).path
    },
    start(args = []) {
      const agent = spawnAgent({ home: ready(home).path, args: ['--model', ready(model).spec, ...args] })
      running.push(agent)
      return agent
    },
  }
}
