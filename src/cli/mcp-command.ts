// `punie mcp`: Punie's tools as an MCP server over stdio. stdout carries protocol frames only; logs go to the
// log file, and a start-up failure is one line on stderr with exit code 2.
import { realpathSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { homePaths, punieHome } from '../config/home.js'
import { createFileLogger, type Logger, redirectConsole } from '../log/logger.js'
import type { PermissionMode } from '../tools/permission.js'
import type { AgentOptions } from './agent-options.js'

export interface McpCommandOptions {
  cwd?: string
  mode: PermissionMode
  /** Comma-separated tool names. */
  only?: string
}

const USAGE_ERROR = 2

export async function runMcpCommand(opts: McpCommandOptions, agent: AgentOptions, version: string) {
  const fail = (message: string): never => {
    process.stderr.write(`punie mcp: ${message}\n`)
    process.exit(USAGE_ERROR)
  }
  const root = workspaceRoot(opts.cwd ?? process.cwd()) ?? fail(`${opts.cwd} is not a directory`)
  const [{ builtinTools }, { servedTools }, { agentConfigFrom }, { readConfigFile }] = await Promise.all([
    import('../tools/builtin/index.js'),
    import('../mcp/server/tools.js'),
    import('../session/config.js'),
    import('../config/config-file.js'),
  ])
  const only = opts.only
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const served = servedTools(builtinTools, only)
  if (served.unknown.length) {
    const names = servedTools(builtinTools).tools.map((t) => t.name)
    fail(`unknown tool ${served.unknown.join(', ')} in --only: the tools are ${names.join(', ')}`)
  }
  const home = punieHome()
  const paths = homePaths(home)
  const settings = agentConfigFrom(readConfigFile(paths.config)).devtools

  const logDir = agent.logDir ?? paths.logs
  let logger: Logger
  try {
    logger = createFileLogger({ dir: logDir, level: agent.logLevel })
  } catch (error) {
    return fail(`cannot write the log in ${logDir}: ${(error as Error).message}`)
  }
  redirectConsole(logger)
  process.on('uncaughtException', (error) => logger.error('uncaught exception: %s', error.stack ?? error))
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection: %s', reason))
  logger.info('punie %s serving MCP over stdio on %s (mode %s)', version, root, opts.mode)

  const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([
    import('../mcp/server/serve.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
  ])
  const server = createMcpServer({ root, mode: opts.mode, tools: served.tools, settings, logger, version })
  // The SDK's transport does not notice the end of stdin, nor a broken stdout: either way the client has gone.
  process.stdin.once('end', () => void server.close())
  process.stdout.on('error', (error) => {
    logger.warn('stdout: %s', error.message)
    void server.close()
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close())
  await server.connect(new StdioServerTransport())
  await server.closed
  await server.close()
  logger.info('MCP client disconnected; shutting down')
  // Exit even if a stray handle (a language server's pipe) lingers.
  process.exit(0)
}

function workspaceRoot(dir: string): string | undefined {
  try {
    const absolute = realpathSync(resolve(dir))
    return statSync(absolute).isDirectory() ? absolute : undefined
  } catch {
    return undefined
  }
}
