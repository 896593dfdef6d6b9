// Starts the ACP agent over stdio with the parsed agent options.
import { homePaths, punieHome } from '../config/home.js'
import { type AgentOptions, agentFlags } from './agent-options.js'

export async function runAgent(opts: AgentOptions, version: string): Promise<void> {
  if (opts.model) {
    const { parseModelSpec } = await import('../model/spec.js')
    try {
      parseModelSpec(opts.model, process.env)
    } catch (error) {
      process.stderr.write(`punie: invalid --model: ${(error as Error).message}\n`)
      process.exit(2)
    }
  }
  const home = punieHome()
  const { runAcpStdio } = await import('./acp-stdio.js')
  await runAcpStdio({
    version,
    home,
    logDir: opts.logDir ?? homePaths(home).logs,
    logLevel: opts.logLevel,
    flags: agentFlags(opts),
  })
  // Stdin closed: the client is gone. Exit even if a stray handle (a slow model socket) lingers.
  process.exit(0)
}
