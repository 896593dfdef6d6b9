// The `punie` command line. Subcommands load their modules lazily so start-up stays fast.
import { join } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { homePaths, punieHome } from '../config/home.js'
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log/logger.js'
import { packageVersion } from './version.js'

interface GlobalOptions {
  model?: string
  logLevel: LogLevel
  logDir?: string
}

async function runAgent(opts: GlobalOptions, version: string) {
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
    ...(opts.model ? { modelFlag: opts.model } : {}),
  })
  // Stdin closed: the client is gone. Exit even if a stray handle (a slow model socket) lingers.
  process.exit(0)
}

export async function main(argv: string[]): Promise<void> {
  const version = packageVersion()
  const program = new Command('punie')
    .description('Punie: a local-first coding agent for IDEs, speaking the Agent Client Protocol (ACP).')
    .version(version, '-v, --version')
    .addOption(
      new Option(
        '--model <spec>',
        'model: local, local:NAME, ollama:NAME, lmstudio:NAME, openai:NAME, http://host:port/v1/NAME',
      ),
    )
    .addOption(
      new Option('--log-level <level>', `log level (${LOG_LEVELS.join(', ')})`)
        .default('info')
        .argParser((value: string) => {
          if (!isLogLevel(value)) throw new InvalidArgumentError(`use one of ${LOG_LEVELS.join(', ')}`)
          return value
        }),
    )
    .option('--log-dir <dir>', `log directory (default ${join('$PUNIE_HOME', 'logs')}, PUNIE_HOME=~/.punie)`)
    .showHelpAfterError()

  program
    .command('acp', { isDefault: true })
    .description('run the ACP agent over stdio, as IDEs launch it (the default)')
    .action(() => runAgent(program.opts<GlobalOptions>(), version))

  program
    .command('tools')
    .description('list the built-in tools (name, kind, whether it asks permission, description)')
    .option('--json', 'print a JSON array of {name, kind, permission, description, inputSchema}')
    .action(async (opts: { json?: boolean }) => {
      const { formatToolTable, toolListings } = await import('./tools-command.js')
      const listings = toolListings()
      process.stdout.write(`${opts.json ? JSON.stringify(listings, null, 2) : formatToolTable(listings)}\n`)
    })

  await program.parseAsync(argv)
}
