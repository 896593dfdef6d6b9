// `punie ask`: picks the running server or an in-process agent, wires the terminal, and exits with the outcome.
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { homePaths, punieHome } from '../config/home.js'
import { createFileLogger } from '../log/logger.js'
import { type AgentOptions, agentFlags } from './agent-options.js'

export interface AskCommandOptions {
  workspace?: string
  yes?: boolean
  json?: boolean
  server: boolean
}

export async function runAskCommand(
  prompt: string,
  opts: AskCommandOptions,
  agent: AgentOptions,
  version: string,
): Promise<void> {
  const workspace = resolve(opts.workspace ?? process.cwd())
  if (!isDirectory(workspace)) {
    process.stderr.write(`punie ask: --workspace ${workspace} is not a directory\n`)
    process.exit(1)
  }
  if (!prompt.trim()) {
    process.stderr.write('punie ask: the prompt is empty\n')
    process.exit(1)
  }
  const home = punieHome()
  const paths = homePaths(home)
  const logger = createFileLogger({ dir: agent.logDir ?? paths.logs, level: agent.logLevel })
  const [{ runAsk }, links, { runningServer }, { respondsOk }] = await Promise.all([
    import('../client/ask.js'),
    import('../client/agent-link.js'),
    import('../server/server-file.js'),
    import('../model/server-probe.js'),
  ])
  const server = opts.server ? runningServer(paths.server) : undefined
  const link =
    server && (await respondsOk(`${server.url}/health`, 2000))
      ? await links.serverLink(server)
      : await links.inProcessLink({ home, version, flags: agentFlags(agent), logger })
  logger.info('punie ask in %s via %s', workspace, link.via)
  const code = await runAsk(
    {
      prompt,
      workspace,
      // With a server, the session takes the model from the server's settings unless one is asked for here.
      ...(agent.model ? { model: agent.model } : {}),
      yes: opts.yes ?? false,
      json: opts.json ?? false,
    },
    {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      onInterrupt: (handler) => {
        process.on('SIGINT', handler)
        return () => process.off('SIGINT', handler)
      },
    },
    link,
  )
  process.exit(code)
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
