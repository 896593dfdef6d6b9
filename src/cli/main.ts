// The `punie` entry. An IDE's launch line starts the agent without loading commander; everything else
// goes through the commander program.

import { packageVersion } from '../version.js'
import { parseAgentLaunch } from './agent-options.js'
import { runAgent } from './run-agent.js'

export async function main(argv: string[]): Promise<void> {
  const version = packageVersion()
  const launch = parseAgentLaunch(argv.slice(2))
  if (launch) return runAgent(launch, version)
  const { buildProgram } = await import('./program.js')
  try {
    await buildProgram(version).parseAsync(argv)
  } catch (error) {
    // A settings file the user must fix is one line naming it, not a stack trace (known by name: the module that
    // defines it stays off this path).
    if ((error as Error)?.name !== 'ConfigError') throw error
    process.stderr.write(`punie: ${(error as Error).message}\n`)
    process.exit(1)
  }
}
