// `punie acp`: the ACP agent over stdio. stdout carries protocol frames only; everything else goes to the log.
import { Readable, Writable } from 'node:stream'
import {
  asInitializeRequest,
  initializeAnswerLine,
  readFirstLine,
  remainingInput,
  replayInitialize,
} from '../acp/early-initialize.js'
import { capErrorLines } from '../acp/error-replies.js'
import { initializeResponse } from '../acp/initialize.js'
import { limitLines, oversizedReply } from '../acp/line-limit.js'
import { imagePromptsAdvertised } from '../config/image-prompts.js'
import type { AgentFlags } from '../core/core.js'
import { lazyCore } from '../core/lazy-core.js'
import { createFileLogger, type LogLevel, redirectConsole } from '../log/logger.js'

export interface AcpStdioOptions {
  version: string
  home: string
  logDir: string
  logLevel: LogLevel
  flags: AgentFlags
}

export async function runAcpStdio(options: AcpStdioOptions): Promise<void> {
  const logger = createFileLogger({ dir: options.logDir, level: options.logLevel })
  redirectConsole(logger)
  process.on('uncaughtException', (error) => logger.error('uncaught exception: %s', error.stack ?? error))
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection: %s', reason))
  logger.info('punie %s starting ACP over stdio (node %s)', options.version, process.version)

  const first = await readFirstLine(Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>)
  const early = first.line === undefined ? undefined : asInitializeRequest(first.line)
  const promptImages = imagePromptsAdvertised(options.home, process.env, options.flags.model)
  if (early)
    process.stdout.write(initializeAnswerLine(early.id, initializeResponse(options.version, promptImages)))

  const [{ ndJsonStream, DEFAULT_MAX_MESSAGE_BYTES: maxBytes }, { createAcpAgent }] = await Promise.all([
    import('@agentclientprotocol/sdk'),
    import('../acp/agent.js'),
  ])

  const core = lazyCore({ home: options.home, env: process.env, logger, flags: options.flags })

  const input = limitLines(remainingInput(first, early !== undefined), maxBytes, (line) => {
    logger.warn('dropped a %d-byte message (limit %d bytes)', line.bytes, maxBytes)
    process.stdout.write(oversizedReply(line, maxBytes))
  })
  const output = capErrorLines(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>)
  const ndjson = ndJsonStream(output, input, {
    maxMessageBytes: maxBytes,
  })
  const stream = early ? replayInitialize(ndjson, early) : ndjson
  const connection = createAcpAgent({
    version: options.version,
    core: core.load,
    logger,
    promptImages,
  }).connect(stream)
  // Load and warm the session core while the client digests the initialize answer.
  setImmediate(() => core.warmUp())
  await connection.closed
  logger.info('client disconnected; shutting down')
  await core.close()
}
