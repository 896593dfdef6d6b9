// `punie connect`: the stdio ⇄ WebSocket bridge. stdout carries protocol frames only; logs go to the log file.
import { homePaths, punieHome } from '../config/home.js'
import { createFileLogger, redirectConsole } from '../log/logger.js'
import type { AgentOptions } from './agent-options.js'

export async function runConnect(opts: { server?: string }, agent: AgentOptions): Promise<void> {
  const home = punieHome()
  const paths = homePaths(home)
  const logger = createFileLogger({ dir: agent.logDir ?? paths.logs, level: agent.logLevel })
  redirectConsole(logger)
  const [{ Bridge }, { FileResumeTokenBook }, serverFile] = await Promise.all([
    import('../client/bridge.js'),
    import('../client/resume-tokens.js'),
    import('../server/server-file.js'),
  ])
  const locate = () => {
    const file = serverFile.readServerFile(paths.server)
    const token = process.env.PUNIE_SERVER_TOKEN ?? file?.token
    if (!token) return undefined
    if (opts.server) return { url: serverFile.acpSocketUrl(opts.server), token }
    const running = serverFile.runningServer(paths.server)
    return running ? { url: serverFile.acpSocketUrl(running.url), token } : undefined
  }
  logger.info('punie connect: bridging stdio to %s', opts.server ?? `the server in ${paths.server}`)
  await new Bridge({
    locate,
    input: process.stdin,
    output: process.stdout,
    logger,
    tokens: new FileResumeTokenBook(paths.clientSessions),
  }).run()
  logger.info('punie connect: the IDE closed the connection')
  process.exit(0)
}
