// The commander program: help, version, subcommands and error messages. Subcommands load lazily.
import { Argument, Command, InvalidArgumentError, Option } from 'commander'
import { IDES } from '../config/ides.js'
import { SERVER_KINDS, type ServerKind } from '../model/servers/commands.js'
import { DEFAULT_SERVE_PORT } from '../server/port.js'
import { PERMISSION_MODES } from '../tools/permission.js'
import { AGENT_FLAGS, type AgentOptions, DEFAULT_LOG_LEVEL } from './agent-options.js'
import { addDatasetCommand } from './dataset-command.js'
import { runAgent } from './run-agent.js'

export function buildProgram(version: string): Command {
  const program = new Command('punie')
    .description('Punie: a local-first coding agent for IDEs, speaking the Agent Client Protocol (ACP).')
    .version(version, '-v, --version')
    .showHelpAfterError()
  for (const flag of AGENT_FLAGS) {
    const choices = flag.choices
    const description = choices ? `${flag.description} (${choices.join(', ')})` : flag.description
    const option = new Option(`--${flag.name} <${flag.value}>`, description)
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
    // The default command receives every word commander does not know: `punie bogus` lands here.
    .allowExcessArguments()
    .action((_opts: unknown, acp: Command) => {
      const [word] = acp.args
      if (word !== undefined) return unknownCommand(program, word)
      return runAgent(program.opts<AgentOptions>(), version)
    })

  program
    .command('serve')
    .description('serve many clients and projects: HTTP, REST and ACP over WebSocket at /acp')
    .option('--host <address>', 'address to bind; non-loopback addresses always need the token', '127.0.0.1')
    .option(
      '--port <number>',
      'port (0 picks a free one)',
      parseInteger('port', 0, 65535),
      DEFAULT_SERVE_PORT,
    )
    .option('--no-auth', 'accept requests without the bearer token (loopback addresses only)')
    .option('--allow-origin <origin...>', 'browser origins allowed besides the server itself')
    .option(
      '--idle-timeout <minutes>',
      'close client sockets idle this long',
      parseInteger('idle timeout', 1, 7 * 24 * 60),
      60,
    )
    .action(async (opts: import('./serve-command.js').ServeOptions) => {
      const { runServe } = await import('./serve-command.js')
      await runServe(opts, program.opts<AgentOptions>(), version)
    })

  program
    .command('ask')
    .description('ask one question from the command line; tools run on the local workspace')
    .argument('<prompt>', 'what to ask')
    .option('--workspace <dir>', 'the project to work in (default: the current directory)')
    .option('--yes', 'allow every permission request without asking')
    .option('--json', 'print one JSON object: answer, tool calls, stop reason')
    .option('--no-server', 'run the agent in this process even when a server is running')
    .addHelpText(
      'after',
      '\nUses the server named in $PUNIE_HOME/server.json when it is running, else runs in-process.\n' +
        'Without a terminal, permission requests are denied unless --yes.\n' +
        'Exit codes: 0 answered, 1 failed or refused, 130 interrupted (Ctrl-C).',
    )
    .action(async (prompt: string, opts: import('./ask-command.js').AskCommandOptions) => {
      const { runAskCommand } = await import('./ask-command.js')
      await runAskCommand(prompt, opts, program.opts<AgentOptions>(), version)
    })

  program
    .command('connect')
    .description('bridge stdio to a running `punie serve`: launch this from an IDE instead of `punie`')
    .option('--server <url>', 'the server (default: the one in $PUNIE_HOME/server.json)')
    .addHelpText(
      'after',
      '\nThe token comes from $PUNIE_SERVER_TOKEN or $PUNIE_HOME/server.json. The bridge reconnects with\n' +
        'backoff when the server goes away, and resumes its sessions when it is back.',
    )
    .action(async (opts: { server?: string }) => {
      const { runConnect } = await import('./connect-command.js')
      await runConnect(opts, program.opts<AgentOptions>())
    })

  program
    .command('init')
    .description('register Punie with an IDE: JetBrains acp.json, or Zed agent_servers settings')
    .addOption(new Option('--ide <ide>', 'which IDE').choices(IDES).default('jetbrains'))
    .option(
      '--output <file>',
      'the settings file to write or merge (JetBrains default: ~/.jetbrains/acp.json; Zed: print)',
    )
    .option(
      '--connect',
      'launch `punie connect` (the bridge to a running server) instead of an agent per window',
    )
    .action(async (opts: import('./init-command.js').InitOptions) => {
      const { runInit } = await import('./init-command.js')
      const { model } = program.opts<AgentOptions>()
      runInit({ ...opts, ...(model ? { model } : {}) })
    })

  const server = program
    .command('server')
    .description('start, stop and check local model servers (llama.cpp, mlx-lm, vLLM, Ollama)')
  server
    .command('start')
    .description(
      'launch a model server and wait until it is healthy; extra arguments after -- go to the server',
    )
    .addArgument(new Argument('<kind>', 'which server').choices(SERVER_KINDS))
    .argument('[extra...]', 'arguments passed to the server as they are')
    .option('--model <model>', 'model file (.gguf) or hub id; Ollama needs none')
    .option('--name <name>', 'name to manage it by (default: the kind)')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option(
      '--port <number>',
      'port (default: 8080 llamacpp/mlx, 8000 vllm, 11434 ollama)',
      parseInteger('port', 1, 65535),
    )
    .option('--adapter <path>', 'LoRA adapter to serve on top of the model')
    .option('--draft-model <model>', 'draft model for speculative decoding')
    .option('--draft-tokens <n>', 'tokens the draft model proposes', parseInteger('draft tokens', 1, 64))
    .option('--ctx-size <n>', 'context size', parseInteger('context size', 256, 10_000_000))
    .option(
      '--no-tool-calls',
      'leave the server’s native tool calling off (llama-server --jinja, vLLM auto tool choice)',
    )
    .option('--tool-call-parser <name>', 'vLLM tool-call parser (default hermes)')
    .option('--binary <path>', 'the server executable, if not the usual name on PATH')
    .option(
      '--timeout <seconds>',
      'how long to wait for it to become healthy',
      parseInteger('timeout', 1, 3600),
      120,
    )
    .action(
      async (kind: ServerKind, extra: string[], opts: import('./server-command.js').ServerStartOptions) => {
        const m = await import('./server-command.js')
        // --model is also the agent's option, so commander files it with the program's options.
        const model = opts.model ?? program.opts<AgentOptions>().model
        await m.runServerStart(kind, { ...opts, ...(model ? { model } : {}) }, extra)
      },
    )
  server
    .command('stop')
    .description('stop a managed server: SIGTERM, then SIGKILL after 5 s')
    .argument('[name]', 'its name (default: the kind it was started as)')
    .option('--all', 'stop every managed server')
    .option(
      '--grace <seconds>',
      'how long to wait after SIGTERM before SIGKILL',
      parseInteger('grace', 0, 600),
      5,
    )
    .action(async (name: string | undefined, opts: { all?: boolean; grace: number }) => {
      const m = await import('./server-command.js')
      await m.runServerStop(name, opts.all ?? false, opts.grace * 1000)
    })
  server
    .command('status')
    .description('managed servers, and whether each answers its health check')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const m = await import('./server-command.js')
      await m.runServerList({ ...opts, health: true })
    })
  server
    .command('list')
    .description('managed servers and their processes, without health checks')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const m = await import('./server-command.js')
      await m.runServerList({ ...opts, health: false })
    })

  program
    .command('models')
    .description('which local model servers are running and which models they serve')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const m = await import('./server-command.js')
      await m.runModels(opts)
    })

  const evaluate = program
    .command('eval')
    .description('evaluate models on YAML suites of tool-calling tasks; reports and comparisons')
  evaluate
    .command('run')
    .description('run suites against a model (--model) or a managed server (--server)')
    .argument('[suites...]', 'suite files, e.g. suites/baseline.yaml')
    .option('--server <name>', 'a server started with `punie server start`')
    .option(
      '--repeat <k>',
      'attempts per case, for pass^k and confidence intervals',
      parseInteger('repeat', 1, 100),
      1,
    )
    .option(
      '--temperature <t>',
      'sampling temperature (default: config, else 0)',
      parseNumber('temperature', 0, 2),
    )
    .option('--seed <n>', 'sampling seed, for servers that honour it', parseInteger('seed', 0, 2 ** 31 - 1))
    .option('-j, --jobs <n>', 'cases run at once', parseInteger('jobs', 1, 64), 1)
    .option('--timeout <seconds>', 'per case, overriding the suites', parseInteger('timeout', 1, 3600))
    .option('--out <file>', 'results JSON (default $PUNIE_HOME/eval/RUN.json)')
    .option('--resume <run>', 'finish an interrupted run: its suites and options, skipping what is done')
    .action((suites: string[], opts: import('./eval-command.js').EvalRunOptions) =>
      runEval((m) => m.runEvalCommand(suites, opts, program.opts<AgentOptions>())),
    )
  evaluate
    .command('report')
    .description('write a run’s HTML report and print its summary')
    .argument('<run>', 'run id, or "latest"')
    .option('--out <file>', 'where to write it (default $PUNIE_HOME/eval/RUN.html)')
    .option('--json', 'print the run and its results as JSON instead')
    .action((id: string, opts: { out?: string; json?: boolean }) =>
      runEval((m) => m.evalReportCommand(id, opts)),
    )
  evaluate
    .command('compare')
    .description(
      'compare runs with the first: pass@1 per category, significance, regressed cases (exit 1 on a regression)',
    )
    .argument('<runs...>', 'run ids, the baseline first')
    .option('--json', 'print JSON')
    .action((ids: string[], opts: { json?: boolean }) => runEval((m) => m.evalCompareCommand(ids, opts)))
  evaluate
    .command('list')
    .description('recent runs')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => runEval((m) => m.evalListCommand(opts)))
  evaluate
    .command('validate')
    .description('check suite files against the schema')
    .argument('<suites...>', 'suite files')
    .action((suites: string[]) => runEval(async (m) => m.evalValidateCommand(suites)))

  program
    .command('tools')
    .description(
      'list the built-in tools and execute_code (name, kind, when it asks permission, description)',
    )
    .option('--json', 'print a JSON array of {name, kind, permission, asks, description, inputSchema}')
    .action(async (opts: { json?: boolean }) => {
      const { formatToolTable, toolListings } = await import('./tools-command.js')
      const listings = toolListings()
      process.stdout.write(`${opts.json ? JSON.stringify(listings, null, 2) : formatToolTable(listings)}\n`)
    })

  program
    .command('mcp')
    .description("serve Punie's tools to other agents as an MCP server over stdio")
    .option('--cwd <dir>', 'the workspace: tools reach nothing outside it (default: the current directory)')
    .addOption(
      new Option('--mode <mode>', 'what writes and commands may do without asking')
        .choices(PERMISSION_MODES)
        .default('ask'),
    )
    .option('--only <tools>', 'serve only these tools, comma-separated (e.g. read_file,grep,list_dir)')
    .addHelpText(
      'after',
      '\nWrites and commands ask the user through the client (MCP elicitation): a client without it gets\n' +
        'an error result instead. read-only lists no tool that writes or runs commands; accept-edits lets\n' +
        'edits go ahead and still asks for commands; yolo asks nothing. Logs go to the log file.\n' +
        'Example client entry: { "command": "punie", "args": ["mcp", "--cwd", "/path/to/project"] }',
    )
    .action(async (opts: import('./mcp-command.js').McpCommandOptions) => {
      const { runMcpCommand } = await import('./mcp-command.js')
      await runMcpCommand(opts, program.opts<AgentOptions>(), version)
    })

  program
    .command('trust')
    .description("let a project's own .punie/config.json choose a remote model and the mode")
    .argument('[dir]', 'the project directory (default: the current one)')
    .option('--list', 'list the trusted projects')
    .option('--remove', 'stop trusting the directory')
    .action(async (dir: string | undefined, opts: import('./trust-command.js').TrustOptions) => {
      const { runTrust } = await import('./trust-command.js')
      process.stdout.write(`${runTrust(dir, opts)}\n`)
    })

  addDatasetCommand(program)

  const perf = program.command('perf').description('performance figures from the sessions Punie recorded')
  const scoped = (command: Command) =>
    command
      .option('--session <id>', 'one session')
      .option('--since <age>', 'sessions active in this period: 30m, 12h, 7d, 2w', '7d')
      .option('--json', 'print the figures as JSON')
  scoped(perf.command('summary').description('print the figures as a table')).action(
    (opts: { session?: string; since: string; json?: boolean }) =>
      runPerf(async (m) => {
        const { figures, scope } = m.collectFigures(opts)
        process.stdout.write(
          `${opts.json ? JSON.stringify(figures, null, 2) : m.summaryText(figures, scope)}\n`,
        )
      }),
  )
  scoped(perf.command('report').description('write a standalone HTML report with charts and print its path'))
    .option('--out <file>', 'where to write it (default $PUNIE_HOME/reports/perf-<time>.html)')
    .action((opts: { session?: string; since: string; json?: boolean; out?: string }) =>
      runPerf(async (m) => {
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(m.collectFigures(opts).figures, null, 2)}\n`)
          return
        }
        process.stdout.write(`${m.writeReport(opts)}\n`)
      }),
    )

  return program
}

/** Exit code for a command line Punie cannot read (as for an invalid --model). */
const USAGE_ERROR = 2

function unknownCommand(program: Command, word: string): void {
  const names = program.commands.map((c) => c.name())
  const what =
    program.args[0] === 'acp'
      ? `punie acp: unexpected argument '${word}'`
      : `punie: unknown command '${word}'${didYouMean(word, names)}`
  process.stderr.write(`${what}\nRun \`punie --help\` for the commands: ${names.join(', ')}.\n`)
  process.exitCode = USAGE_ERROR
}

function didYouMean(word: string, names: string[]): string {
  const near = names.filter((n) => n.startsWith(word.slice(0, 2)) || word.startsWith(n))
  return near.length ? ` (did you mean ${near.join(' or ')}?)` : ''
}

function parseInteger(what: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}`)
    }
    return n
  }
}

function parseNumber(what: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`${what} must be from ${min} to ${max}`)
    return n
  }
}

async function runEval(run: (m: typeof import('./eval-command.js')) => Promise<void>): Promise<void> {
  const m = await import('./eval-command.js')
  const { SuiteError } = await import('../eval/suite.js')
  try {
    await run(m)
  } catch (error) {
    if (!(error instanceof m.EvalCommandError || error instanceof SuiteError)) throw error
    process.stderr.write(`punie eval: ${error.message}\n`)
    process.exitCode = 1
  }
}

async function runPerf(run: (m: typeof import('./perf-command.js')) => Promise<void>): Promise<void> {
  const m = await import('./perf-command.js')
  try {
    await run(m)
  } catch (error) {
    if (!(error instanceof m.PerfCommandError)) throw error
    process.stderr.write(`punie perf: ${error.message}\n`)
    process.exitCode = 1
  }
}
