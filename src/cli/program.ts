// The commander program: help, version, subcommands and error messages. Subcommands load lazily.
import { Command, InvalidArgumentError, Option } from 'commander'
import { AGENT_FLAGS, type AgentOptions, DEFAULT_LOG_LEVEL } from './agent-options.js'
import { runAgent } from './run-agent.js'

export function buildProgram(version: string): Command {
  const program = new Command('punie')
    .description('Punie: a local-first coding agent for IDEs, speaking the Agent Client Protocol (ACP).')
    .version(version, '-v, --version')
    .showHelpAfterError()
  for (const flag of AGENT_FLAGS) {
    const option = new Option(`--${flag.name} <${flag.value}>`, flag.description)
    const choices = flag.choices
    if (choices) {
      option.argParser((value: string) => {
        if (!choices.includes(value)) throw new InvalidArgumentError(`use one of ${choices.join(', ')}`)
        return value
      })
    }
    if (flag.key === 'logLevel') option.default(DEFAULT_LOG_LEVEL)
    program.addOption(option)
  }

  program
    .command('acp', { isDefault: true })
    .description('run the ACP agent over stdio, as IDEs launch it (the default)')
    .action(() => runAgent(program.opts<AgentOptions>(), version))

  program
    .command('tools')
    .description('list the built-in tools (name, kind, whether it asks permission, description)')
    .option('--json', 'print a JSON array of {name, kind, permission, description, inputSchema}')
    .action(async (opts: { json?: boolean }) => {
      const { formatToolTable, toolListings } = await import('./tools-command.js')
      const listings = toolListings()
      process.stdout.write(`${opts.json ? JSON.stringify(listings, null, 2) : formatToolTable(listings)}\n`)
    })

  return program
}
