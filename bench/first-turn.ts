// First-turn figures: a fresh process's first session/new and first prompt, Punie next to the null agent, against
// an instantly answering model; and a client that advertises extension requests but never answers them.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, spawnAgent } from '../test/helpers/acp-harness.js'
import { DISCOVERY_CAPABILITIES, ScriptedIde } from '../test/helpers/ide.js'
import type { ScriptedModelServer } from '../test/helpers/scripted-model.js'

/** How long a client that waits after `initialize` (an IDE whose user opens the panel) stays idle. */
export const IDLE_AFTER_INITIALIZE_MS = 1000

export interface FirstTurn {
  /** spawn → initialize answered. */
  initializeMs: number
  /** The first session/new, and the one after it. */
  firstNewMs: number
  laterNewMs: number
  /** The first prompt: sent → answered, and sent → its first model request arrived. */
  turnMs: number
  toRequestMs: number
}

export interface FirstTurnOptions {
  home: string
  workspace: string
  model: ScriptedModelServer
  /** Milliseconds the client waits between the initialize answer and session/new. */
  idleMs: number
  agent: 'punie' | 'null'
  /** A turn that reads a file (one tool call, two model requests) rather than a text answer. */
  tool?: boolean
  ide?: ScriptedIde
}

const NULL_AGENT = join(REPO_ROOT, 'dist-bench', 'bench', 'null-agent.js')

export async function firstTurn(options: FirstTurnOptions): Promise<FirstTurn> {
  const { model } = options
  const started = performance.now()
  const agent =
    options.agent === 'null'
      ? spawnAgent({
          home: options.home,
          entry: NULL_AGENT,
          args: ['--base-url', model.baseURL, '--model', 'scripted-model'],
        })
      : spawnAgent({
          home: options.home,
          args: ['--model', model.spec, '--log-level', 'warn'],
          ...(options.ide ? { ide: options.ide } : {}),
        })
  try {
    await agent.harness.initialize()
    const initializeMs = performance.now() - started
    if (options.idleMs) await new Promise((resolve) => setTimeout(resolve, options.idleMs))
    let t = performance.now()
    const { sessionId } = await agent.harness.newSession(options.workspace)
    const firstNewMs = performance.now() - t
    t = performance.now()
    await agent.harness.newSession(options.workspace)
    const laterNewMs = performance.now() - t
    if (options.tool) {
      writeFileSync(join(options.workspace, 'main.py'), 'print("hello")\n')
      model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'main.py' } }] }, { text: 'ok' })
    }
    const mark = model.chatRequests().length
    t = performance.now()
    await agent.harness.prompt(sessionId, options.tool ? 'read main.py' : 'hello')
    const turnMs = performance.now() - t
    const request = model.chatRequests()[mark]
    return {
      initializeMs,
      firstNewMs,
      laterNewMs,
      turnMs,
      toRequestMs: request ? request.at - t : Number.NaN,
    }
  } finally {
    await agent.harness.close()
  }
}

/** A client that says it answers `_punie/discover_tools` and never does. */
export function silentIde(): ScriptedIde {
  const ide = new ScriptedIde(DISCOVERY_CAPABILITIES)
  ide.neverAnswers.add('_punie/discover_tools')
  ide.defaultAnswer = 'allow_once'
  return ide
}
