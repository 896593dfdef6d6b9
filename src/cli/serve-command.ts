// `punie serve`: starts the server and stops it cleanly on SIGINT/SIGTERM.
import { homedir } from 'node:os'
import { homePaths, punieHome } from '../config/home.js'
import { createFileLogger, redirectConsole } from '../log/logger.js'
import type { AgentOptions } from './agent-options.js'
import { agentFlags } from './agent-options.js'
import { showLink } from './dashboard-command.js'

export interface ServeOptions {
  host: string
  port: number
  auth: boolean
  allowOrigin?: string[]
  idleTimeout: number
  open?: boolean
}

export async function runServe(opts: ServeOptions, agent: AgentOptions, version: string): Promise<void> {
  const home = punieHome()
  const paths = homePaths(home)
  const logger = createFileLogger({ dir: agent.logDir ?? paths.logs, level: agent.logLevel })
  redirectConsole(logger)
  process.on('uncaughtException', (error) => logger.error('uncaught exception: %s', error.stack ?? error))
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection: %s', reason))
  const [{ createAgentCore }, { startServer, ServerStartError }] = await Promise.all([
    import('../core/core.js'),
    import('../server/server.js'),
  ])
  const core = await createAgentCore({ home, env: process.env, logger, flags: agentFlags(agent) })
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      host: opts.host,
      port: opts.port,
      version,
      core,
      serverFile: paths.server,
      auth: opts.auth,
      allowedOrigins: opts.allowOrigin ?? [],
      limits: { idleTimeoutMs: opts.idleTimeout * 60_000 },
      review: { database: paths.database, userConfig: paths.config, home: process.env.HOME || homedir() },
      logger,
    })
  } catch (error) {
    await core.close()
    if (!(error instanceof ServerStartError)) throw error
    process.stderr.write(`punie serve: ${error.message}\n`)
    process.exit(1)
  }
  process.stdout.write(
    `Punie ${version} serving on ${server.url}\n` +
      `  ACP over WebSocket: ${server.url.replace(/^http/, 'ws')}/acp\n` +
      `  dashboard: ${server.url}/ (sign in with \`punie dashboard\`)\n` +
      `  ${server.token ? `token: in ${paths.server} (mode 0600)` : 'auth: off (loopback only)'}\n` +
      `  log: ${agent.logDir ?? paths.logs}\n`,
  )
  if (opts.open) await showLink(server.signInLink(), true)
  void core.warmUp()
  const stop = async (signal: string) => {
    process.stdout.write(`\n${signal}: stopping; running turns end as cancelled\n`)
    await server.close()
    await core.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}
