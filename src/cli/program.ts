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
    .option('--open', 'open the dashboard in the browser, signed in with a one-time link')
    .action(async (opts: import('./serve-command.js').ServeOptions) => {
      const { runServe } = await import('./serve-command.js')
      await runServe(opts, program.opts<AgentOptions>(), version)
    })

  program
    .command('dashboard')
    .description("open the running server's dashboard in the browser, signed in with a one-time link")
    .option('--no-open', 'print the link instead of opening a browser')
    .addHelpText(
      'after',
      '\nThe link works once, within a minute, and signs the browser in with a cookie; the server token\n' +
        'never appears in a URL. Start the server with `punie serve` (or `punie serve --open`).',
    )
    .action(async (opts: import('./dashboard-command.js').DashboardOptions) => {
      const m = await import('./dashboard-command.js')
      try {
        await m.runDashboard(opts)
      } catch (error) {
        if (!(error instanceof m.DashboardCommandError)) throw error
        process.stderr.write(`punie dashboard: ${error.message}\n`)
        process.exitCode = 1
      }
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
      '--parallel <n>',
      'requests served at once: llama.cpp slots (--parallel), vLLM --max-num-seqs, Ollama OLLAMA_NUM_PARALLEL; `punie eval` and `punie tune` run that many cases at once unless -j says otherwise',
      parseInteger('parallel', 1, 4096),
    )
    .option(
      '--gpu-layers <n>',
      'llama.cpp: layers offloaded to the GPU (--n-gpu-layers; 0 keeps it on the CPU)',
      parseInteger('gpu layers', 0, 100_000),
    )
    .option(
      '--tensor-parallel <n>',
      'vLLM: GPUs one copy of the model is split over (--tensor-parallel-size)',
      parseInteger('tensor parallel size', 1, 1024),
    )
    .option(
      '--pipeline-parallel <n>',
      'vLLM: pipeline stages, usually one per node (--pipeline-parallel-size)',
      parseInteger('pipeline parallel size', 1, 1024),
    )
    .option(
      '--data-parallel <n>',
      'vLLM: replicas of the model, each with its own GPUs (--data-parallel-size)',
      parseInteger('data parallel size', 1, 1024),
    )
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
    .option(
      '--top-p <p>',
      'nucleus sampling, above 0 and at most 1 (default: config, else the server’s)',
      parseTopP,
    )
    .option(
      '--max-tokens <n>',
      'the most tokens one model answer may have (default: config, else 8192)',
      parseInteger('max tokens', 1, 1_000_000),
    )
    .option(
      '-j, --jobs <n>',
      'cases run at once (default: the server’s slots as it reports or was started with, at most 8; else 1)',
      parseInteger('jobs', 1, 64),
    )
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
      'compare runs with the first on the cases both ran: pass@1 per category with intervals, significance, regressed cases (exit 1 on a regression, 2 for runs of different suites)',
    )
    .argument('<runs...>', 'run ids, the baseline first')
    .option('--json', 'print JSON')
    .option(
      '--allow-different-suites',
      'compare runs of different suites (or changed suite files) on the cases both ran',
    )
    .action((ids: string[], opts: { json?: boolean; allowDifferentSuites?: boolean }) =>
      runEval((m) => m.evalCompareCommand(ids, opts)),
    )
  evaluate
    .command('list')
    .description('recent runs: status, passes, suites and model')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => runEval((m) => m.evalListCommand(opts)))
  evaluate
    .command('validate')
    .description('check suite files against the schema and the tool registry; every problem, with its line')
    .argument('<suites...>', 'suite files')
    .option('--allow-mcp', 'accept any MCP tool name (<server>__<tool>), not only the suite’s mcp_servers')
    .action((suites: string[], opts: { allowMcp?: boolean }) =>
      runEval((m) => m.evalValidateCommand(suites, opts)),
    )

  evaluate
    .command('replay')
    .description(
      'replay a cassette (punie session export) against this build: the model answers from the cassette, the tools run for real; exit 1 where it differs',
    )
    .argument('<cassette>', 'a cassette file')
    .option('--json', 'print the report as JSON')
    .option('--timeout <seconds>', 'per turn (default 120)', parseInteger('timeout', 1, 3600))
    // Its exit code is the verdict (1: the replay differs), so a command line it cannot read is 2, not 1.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR))
    .addHelpText(
      'after',
      '\nThe tool calls in a cassette run for real (in a temporary workspace, with the modes and permission\n' +
        'answers it recorded): replay only cassettes you trust. See docs/eval.md.',
    )
    .action((path: string, opts: { json?: boolean; timeout?: number }) =>
      runEval((m) => m.evalReplayCommand(path, opts, program.opts<AgentOptions>())),
    )
  evaluate
    .command('case-from-session')
    .description('turn a recorded session into an eval case: its prompt, starting files and outcome checks')
    .argument('<session>', 'session id, a unique prefix of one, or "latest"')
    .option('-o, --out <file>', 'the suite file to write (default: print it)')
    .option('--id <id>', 'the case id (default session-<id>)')
    .action((id: string, opts: { out?: string; id?: string }) =>
      runEval((m) => m.evalCaseFromSessionCommand(id, opts)),
    )

  const session = program.command('session').description('the sessions Punie recorded, and cassettes of them')
  session
    .command('list')
    .description('recent sessions, newest first')
    .option('--cwd <dir>', 'only sessions in this directory')
    .option('--limit <n>', 'at most this many', parseInteger('limit', 1, 1000), 20)
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean; limit: number; cwd?: string }) =>
      runSession(async (m) => m.sessionListCommand(opts)),
    )
  session
    .command('export')
    .description(
      'write a session as a cassette: every model request and answer, tool calls and results, touched files',
    )
    .argument('<session>', 'session id, a unique prefix of one, or "latest"')
    .option('-o, --out <file>', 'the cassette file (default: print it)')
    .option('--raw', 'keep the secrets the session saw (scrubbed by default)')
    .addHelpText('after', '\nReplay it with `punie eval replay FILE`; see docs/eval.md.')
    .action((id: string, opts: { out?: string; raw?: boolean }) =>
      runSession(async (m) => m.sessionExportCommand(id, opts)),
    )

  program
    .command('tune')
    .description(
      'grid search: score every combination of inference parameters (and training hyperparameters) with the eval suites',
    )
    .argument('[grid]', 'a grid file (YAML): suites, inference lists, train: {config, grid, serve}')
    .option('--suite <files...>', 'suite files to score with (instead of the grid file’s)')
    .option('--temperature <list>', 'temperatures to try, comma-separated: 0,0.7,1')
    .option('--top-p <list>', 'top_p values to try, comma-separated: 0.8,1')
    .option('--max-tokens <list>', 'max tokens per answer to try, comma-separated: 1024,4096')
    .option(
      '--repeat <k>',
      'attempts per case at each point (pass^k); default 3',
      parseInteger('repeat', 1, 100),
    )
    .option(
      '-j, --jobs <n>',
      'cases run at once within a point (default: the server’s slots, at most 8; else 1)',
      parseInteger('jobs', 1, 64),
    )
    .option('--seed <n>', 'sampling seed, for servers that honour it', parseInteger('seed', 0, 2 ** 31 - 1))
    .option('--timeout <seconds>', 'per case, overriding the suites', parseInteger('timeout', 1, 3600))
    .option('--out <dir>', 'the search’s folder (default $PUNIE_HOME/tune/ID)')
    .option('--resume <dir>', 'finish an interrupted search: skip the points already scored')
    .option('--train-command <program>', 'the `punie train` to run for training points (default: this punie)')
    .option('--json', 'print the results as JSON instead of the table')
    .addHelpText(
      'after',
      '\nEach point is an eval run (punie eval report tune-ID-pNN). Progress goes to stderr, one line per point;\n' +
        'the table (pass@1, pass^k, score with its 95% Wilson interval, median time per case, tokens/s) to\n' +
        'stdout, with the best point (★) and the Pareto front of quality against latency (◆). The folder keeps\n' +
        'points.jsonl (appended as each point is scored), results.html (the chart) and results.json.\n' +
        'Example: punie tune --suite suites/baseline.yaml --temperature 0,0.4,0.8 --top-p 0.9,1 --repeat 3\n' +
        'Exit codes: 0 done, 1 a point failed, 2 bad arguments, 130 interrupted (resume with --resume DIR).',
    )
    .action(async (grid: string | undefined, opts: import('./tune-command.js').TuneCommandOptions) => {
      const m = await import('./tune-command.js')
      const { SuiteError } = await import('../eval/suite.js')
      const { GridError } = await import('../training/tune-spec.js')
      const { TuneStoreError } = await import('../training/tune-store.js')
      try {
        await m.runTuneCommand(grid, opts, program.opts<AgentOptions>())
      } catch (error) {
        if (!(error instanceof GridError || error instanceof SuiteError || error instanceof TuneStoreError))
          throw error
        process.stderr.write(`punie tune: ${error.message}\n`)
        process.exitCode = error instanceof GridError ? USAGE_ERROR : 1
      }
    })

  addTrainCommands(program)

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
    .description("let a project's own config choose a remote model and the mode, and start its MCP servers")
    .argument('[dir]', 'the project directory (default: the current one)')
    .option('--list', 'list the trusted projects')
    .option('--remove', 'stop trusting the directory')
    .action(async (dir: string | undefined, opts: import('./trust-command.js').TrustOptions) => {
      const { runTrust } = await import('./trust-command.js')
      process.stdout.write(`${runTrust(dir, opts)}\n`)
    })

  addDatasetCommand(program)
  const flywheel = program
    .command('flywheel')
    .description('training data from your own sessions, for the projects you opt in: stats, review, export')
    .addHelpText(
      'after',
      '\nCapture is off until `punie flywheel enable` opts a project in (your own config; a project cannot).\n' +
        'The session store is read later, read-only; every example is scrubbed of secrets first.\n' +
        'Exit codes: 0 ok, 1 a problem (nothing opted in, a store that cannot be read), 2 a bad command line.',
    )
  const flywheelScope = (command: Command) =>
    command
      .option('--project <dir>', 'one opted-in project (default: all of them)')
      .option('--since <date>', 'turns since a date (2025-01-31) or an age (30m, 12h, 7d, 2w)')
  flywheel
    .command('enable')
    .description('opt a project in: the flywheel may read its sessions')
    .argument('[dir]', "the project (default: the current directory's project)")
    .action((dir: string | undefined) => runFlywheelCommand(async (m) => m.runEnable(dir, true)))
  flywheel
    .command('disable')
    .description('opt a project out again')
    .argument('[dir]', "the project (default: the current directory's project)")
    .action((dir: string | undefined) => runFlywheelCommand(async (m) => m.runEnable(dir, false)))
  flywheelScope(
    flywheel.command('stats').description('sessions, turns and examples by outcome, label and project'),
  )
    .option('--json', 'print JSON')
    .action((opts: import('./flywheel-command.js').ScopeOptions & { json?: boolean }) =>
      runFlywheelCommand(async (m) => m.runStats(opts)),
    )
  flywheelScope(
    flywheel
      .command('review')
      .description('accept or reject each example in the terminal: keys a, r, s (skip), q (quit)'),
  )
    .option('--list', 'print the examples and their decisions instead of asking')
    .option('--accept-all', 'accept every example not yet decided')
    .option('--all', 'ask again about examples already decided')
    .action((opts: import('./flywheel-command.js').ReviewOptions) =>
      runFlywheelCommand(async (m) => m.runReview(opts)),
    )
  flywheelScope(
    flywheel
      .command('export')
      .description('write the scrubbed examples as a dataset (JSONL, one example a line)'),
  )
    .requiredOption('-o, --output <file>', 'where to write it (- for stdout)')
    .option(
      '--format <name>',
      'a dataset format: openai (the canonical form) or any other `punie dataset` knows',
      'openai',
    )
    .option('--only-successful', 'only turns whose outcome is success')
    .option('--accepted', 'only examples accepted in `punie flywheel review`')
    .action((opts: import('./flywheel-command.js').ExportOptions) =>
      runFlywheelCommand(async (m) => m.runExport(opts)),
    )

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
  // Commands the word begins, if any (serv: serve, server), else those sharing its first letters.
  const begun = names.filter((n) => n.startsWith(word) || word.startsWith(n))
  const near = begun.length ? begun : names.filter((n) => n.startsWith(word.slice(0, 2)))
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

/** top_p as the config file bounds it: above 0, at most 1. */
function parseTopP(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new InvalidArgumentError('top_p must be above 0 and at most 1')
  return n
}

function trainSettings(command: Command): Command {
  return command
    .option('--config <file>', 'a YAML run config (see docs/training.md); the flags below override it')
    .option('--runner <name>', 'mlx (mlx-lm, Apple silicon) or trl (TRL/PEFT, Linux/CUDA)')
    .option('--base-model <model>', 'the model to adapt (a Hugging Face id or a folder)')
    .option('--dataset <file>', 'canonical JSONL (punie flywheel export / punie dataset)')
    .option(
      '--format <name>',
      'the dataset format the trainer reads (default: mlx for mlx-lm, openai for TRL)',
    )
    .option('--rank <n>', 'LoRA rank', parseInteger('rank', 1, 4096))
    .option('--alpha <n>', 'LoRA alpha (mlx-lm scale = alpha / rank)', parseNumber('alpha', 0, 1e6))
    .option('--dropout <p>', 'LoRA dropout', parseNumber('dropout', 0, 1))
    .option('--num-layers <n>', 'layers to adapt (-1: all)', parseInteger('num layers', -1, 1000))
    .option('--learning-rate <lr>', 'learning rate', parseNumber('learning rate', 0, 1))
    .option('--batch-size <n>', 'batch size', parseInteger('batch size', 1, 4096))
    .option('--iters <n>', 'iterations', parseInteger('iters', 1, 10_000_000))
    .option('--epochs <n>', 'epochs (when --iters is not given)', parseNumber('epochs', 0, 10_000))
    .option('--seed <n>', 'seed', parseInteger('seed', 0, 2 ** 31 - 1))
    .option(
      '--max-seq-length <n>',
      'longest sequence in tokens',
      parseInteger('max seq length', 1, 10_000_000),
    )
    .option(
      '--validation-split <f>',
      'share held out for validation',
      parseNumber('validation split', 0, 0.5),
    )
    .option('--output-dir <dir>', 'where runs go (default $PUNIE_HOME/train)')
    .option('--gpus <n>', 'GPUs (TRL: accelerate launch for more than one)', parseInteger('gpus', 1, 1024))
    .option(
      '--python <path>',
      'the Python with mlx-lm or torch/trl/peft (default $PUNIE_PYTHON, else python3)',
    )
}

function addTrainCommands(program: Command): void {
  const train = program
    .command('train')
    .description(
      'train a LoRA adapter with mlx-lm or TRL/PEFT; checks, progress, checkpoints, fuse, quantize',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 the run or a check failed, 2 bad usage (config, unknown run), 130 interrupted.\n' +
        'Runs are recorded in $PUNIE_HOME/eval.db; their files are in $PUNIE_HOME/train/RUN (or output_dir).',
    )
  trainSettings(train.command('run').description('check, then train; progress on stderr'))
    .option(
      '--json',
      'print the final run record as JSON: runId, status, bestCheckpoint, adapterPath, metrics',
    )
    .action((opts: import('./train-command.js').TrainFlags) => runTrain((m) => m.trainRunCommand(opts)))
  train
    .command('resume')
    .description('resume a stopped, failed or interrupted run from its last checkpoint')
    .argument('<run>', 'run id, or "latest"')
    .option('--json', 'print the final run record as JSON')
    .action((id: string, opts: { json?: boolean }) => runTrain((m) => m.trainResumeCommand(id, opts)))
  trainSettings(train.command('check').description('the checks before training, alone (exit 1 on an error)'))
    .option('--json', 'print the checks as JSON')
    .action((opts: import('./train-command.js').TrainFlags) => runTrain((m) => m.trainCheckCommand(opts)))
  train
    .command('list')
    .description('recent training runs')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => runTrain(async (m) => m.trainListCommand(opts)))
  train
    .command('show')
    .description('a run: command, loss curves, checkpoints, checks')
    .argument('<run>', 'run id, or "latest"')
    .option('--html [file]', 'also write the HTML report with the loss chart (default RUN/report.html)')
    .option('--json', 'print the whole record as JSON')
    .action((id: string, opts: { html?: string | boolean; json?: boolean }) =>
      runTrain(async (m) => m.trainShowCommand(id, opts)),
    )
  train
    .command('fuse')
    .description('merge the best adapter into the base model (mlx_lm.fuse, or PEFT merge_and_unload)')
    .argument('<run>', 'run id, or "latest"')
    .option(
      '--dequantize',
      'fuse into a dequantized (float16) model: re-quantizing below 5 bits loses the adapter',
    )
    .action((id: string, opts: { dequantize?: boolean }) => runTrain((m) => m.trainFuseCommand(id, opts)))
  train
    .command('quantize')
    .description(
      'quantize the fused model (mlx_lm.convert, or GGUF with llama.cpp) and fail on a quality drop against it',
    )
    .argument('<run>', 'run id, or "latest"')
    .requiredOption(
      '--bits <n>',
      'bits per weight (5 or more keeps the LoRA signal)',
      parseInteger('bits', 2, 8),
    )
    .option('--json', 'print the quantization record as JSON')
    .action((id: string, opts: { bits: number; json?: boolean }) =>
      runTrain((m) => m.trainQuantizeCommand(id, opts)),
    )
  // A usage error (an unknown option, a missing argument) exits 2, as the help text says; help itself exits 0.
  for (const command of [train, ...train.commands])
    command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
}

async function runTrain(run: (m: typeof import('./train-command.js')) => Promise<void>): Promise<void> {
  const m = await import('./train-command.js')
  try {
    await run(m)
  } catch (error) {
    if (!(error instanceof m.TrainUsageError)) throw error
    process.stderr.write(`punie train: ${error.message}\n`)
    process.exitCode = 2
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
    process.exitCode = error instanceof m.EvalCommandError ? error.exitCode : 1
  }
}

async function runFlywheelCommand(
  run: (m: typeof import('./flywheel-command.js')) => Promise<void>,
): Promise<void> {
  const m = await import('./flywheel-command.js')
  await m.runFlywheel(() => run(m))
}

async function runSession(run: (m: typeof import('./session-command.js')) => Promise<void>): Promise<void> {
  const m = await import('./session-command.js')
  const { CassetteError } = await import('../eval/cassette.js')
  try {
    await run(m)
  } catch (error) {
    if (!(error instanceof m.SessionCommandError || error instanceof CassetteError)) throw error
    process.stderr.write(`punie session: ${error.message}\n`)
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
