// The agent and the session core in this process, connected to an SDK client through ndJSON byte streams.
import { createAcpAgent } from '../../src/acp/agent.js'
import { imagePromptsAdvertised } from '../../src/config/image-prompts.js'
import { type ClosableCore, createAgentCore } from '../../src/core/core.js'
import { createFileLogger } from '../../src/log/logger.js'
import { type AcpHarness, connectClient, memoryPipe } from './acp-harness.js'
import type { ScriptedIde } from './ide.js'

export interface InProcessAgent {
  harness: AcpHarness
  core: () => Promise<ClosableCore>
  close(): Promise<void>
}

export function startInProcessAgent(options: {
  home: string
  model?: string
  env?: Record<string, string>
  ide?: ScriptedIde
}): InProcessAgent {
  const logger = createFileLogger({ dir: `${options.home}/logs`, level: 'debug' })
  let core: Promise<ClosableCore> | undefined
  const loadCore = () => {
    core ??= Promise.resolve().then(() =>
      createAgentCore({
        home: options.home,
        env: { ...options.env },
        logger,
        flags: options.model ? { model: options.model } : {},
      }),
    )
    return core
  }
  const { agentSide, clientSide } = memoryPipe()
  const promptImages = imagePromptsAdvertised(options.home, { ...options.env }, options.model)
  const agentConnection = createAcpAgent({ version: 'test', core: loadCore, logger, promptImages }).connect(
    agentSide,
  )
  const close = async () => {
    agentConnection.close()
    if (core) await (await core.catch(() => undefined))?.close()
  }
  const harness = connectClient(clientSide, close, options.ide)
  return { harness, core: loadCore, close: () => harness.close() }
}
