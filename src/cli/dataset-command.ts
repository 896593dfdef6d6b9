// `punie dataset …`: the options, help texts and exit codes of the dataset commands. The work is in
// dataset-run.ts (loaded when a command runs) over the library in src/dataset/.
import { type Command, type CommanderError, InvalidArgumentError, Option } from 'commander'
import { addConvertCommand } from './dataset-convert.js'
import { addGenerateCommand } from './dataset-generate.js'

/** Exit code for a command line Punie cannot use; dataset-run.ts has the others. */
const USAGE = 2

type Run = typeof import('./dataset-run.js')

export function addDatasetCommand(program: Command): Command {
  const dataset = program
    .command('dataset')
    .description(
      'generate, check, describe, reshape and convert training datasets (OpenAI chat JSONL with tools)',
    )
    // Bad flags and missing arguments are usage errors: exit 2, as for a missing file.
    .exitOverride((error: CommanderError) => {
      const helpShown = error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
      process.exit(helpShown ? 0 : USAGE)
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 problems found (invalid lines, failed checks), 2 usage (bad flags, missing file).\n' +
        'Progress goes to stderr: a bar on a terminal, else a line every 2 s. See docs/datasets.md.',
    )
  const common = (command: Command) =>
    command
      .option('--json', 'print the result as JSON on stdout')
      .option('-q, --quiet', 'no progress on stderr')
      .addOption(new Option('--report-rss', 'print peak RSS to stderr at exit (for the bench)').hideHelp())
  const example = (command: Command, text: string) => command.addHelpText('after', `\nExample:\n  ${text}`)
  const run = (name: string, fn: (m: Run) => Promise<number>) => async () => {
    const m = await import('./dataset-run.js')
    await m.runDatasetCommand(name, () => fn(m))
  }

  example(
    common(
      dataset
        .command('validate')
        .description(
          'check every example: schema, roles order, tool calls and results, arguments, empty answers, length',
        )
        .argument('<files...>', 'JSONL files in the canonical form')
        .option(
          '--tools-from <source>',
          '"punie" (its tools today) or a JSON file of tool definitions, instead of each example’s tools',
        )
        .option(
          '--max-tokens <n>',
          'flag examples longer than this (estimated: bytes / 3)',
          integer('max tokens', 1),
        ),
    ),
    'punie dataset validate train.jsonl valid.jsonl --tools-from punie --max-tokens 8192',
  ).action((files: string[], opts: import('./dataset-run.js').ValidateOptions) =>
    run('validate', (m) => m.validateCommand(files, opts))(),
  )

  example(
    common(
      dataset
        .command('stats')
        .description(
          'examples, splits, messages, tokens, tools used, direct-answer share, categories, outcomes',
        )
        .argument('<files...>', 'JSONL files')
        .option('--html <file>', 'also write a self-contained HTML page with charts'),
    ),
    'punie dataset stats train.jsonl valid.jsonl --html stats.html',
  ).action((files: string[], opts: import('./dataset-run.js').StatsOptions) =>
    run('stats', (m) => m.statsCommand(files, opts))(),
  )

  example(
    common(
      dataset
        .command('filter')
        .description('keep the examples that meet every condition given')
        .argument('<file>', 'JSONL file')
        .requiredOption('-o, --out <file>', 'where to write the kept examples')
        .option(
          '--language <name>',
          'language of the example’s code: python, typescript, …; "other" (not Python), "none"',
        )
        .option(
          '--python-version-min <v>',
          'Python that needs at least this version (uses its syntax), e.g. 3.10',
          version,
        )
        .option(
          '--python-version-max <v>',
          'Python that runs on this version (nothing newer, no Python 2 syntax)',
          version,
        )
        .option(
          '--python-signals <names>',
          'Python showing any of these syntax signals, comma-separated (see docs/datasets.md)',
          list,
        )
        .option('--min-tokens <n>', 'at least this many estimated tokens', integer('min tokens', 0))
        .option('--max-tokens <n>', 'at most this many estimated tokens', integer('max tokens', 0))
        .option('--tool-use <which>', 'yes (some tool call), no (a direct answer), or a tool name')
        .option('--outcome <outcome>', 'metadata.outcome: success, failure, mixed, unknown')
        .option('--category <name>', 'metadata.category'),
    ),
    'punie dataset filter all.jsonl -o py312.jsonl --language python --python-version-min 3.12',
  ).action((file: string, opts: import('./dataset-run.js').FilterOptions) =>
    run('filter', (m) => m.filterCommand(file, opts))(),
  )

  example(
    common(
      dataset
        .command('split')
        .description('seeded, stratified split into train/valid/test.jsonl (same seed, same split)')
        .argument('<file>', 'JSONL file')
        .requiredOption('-o, --out <dir>', 'directory for train.jsonl, valid.jsonl, test.jsonl')
        .option('--ratios <list>', 'two or three shares summing to 1', ratios, [0.8, 0.1, 0.1])
        .option('--seed <n>', 'random seed', integer('seed', 0), 0)
        .option(
          '--stratify <field>',
          'keep the shares within each value of this metadata field, e.g. category',
        ),
    ),
    'punie dataset split all.jsonl --ratios 0.8,0.1,0.1 --seed 7 --stratify category -o data/',
  ).action((file: string, opts: import('./dataset-run.js').SplitOptions) =>
    run('split', (m) => m.splitCommand(file, opts))(),
  )

  example(
    common(
      dataset
        .command('dedup')
        .description(
          'drop exact duplicates (normalised conversation) and, with --near, near duplicates (MinHash)',
        )
        .argument('<file>', 'JSONL file')
        .requiredOption('-o, --out <file>', 'where to write the examples kept')
        .option(
          '--near [similarity]',
          'also drop examples at least this similar (Jaccard, 0–1) to a kept one',
          share,
          undefined,
        ),
    ),
    'punie dataset dedup all.jsonl -o unique.jsonl --near 0.9',
  ).action((file: string, opts: import('./dataset-run.js').DedupOptions) =>
    run('dedup', (m) => m.dedupCommand(file, opts))(),
  )

  example(
    common(
      dataset
        .command('merge')
        .description('concatenate files, recording metadata.source = file:line (an existing source is kept)')
        .argument('<files...>', 'JSONL files, in order')
        .requiredOption('-o, --out <file>', 'the merged file'),
    ),
    'punie dataset merge curated.jsonl flywheel.jsonl -o all.jsonl',
  ).action((files: string[], opts: import('./dataset-run.js').MergeOptions) =>
    run('merge', (m) => m.mergeCommand(files, opts))(),
  )

  example(
    common(
      dataset
        .command('sample')
        .description('a seeded random sample of N examples (reservoir sampling), in file order')
        .argument('<file>', 'JSONL file')
        .requiredOption('-n, --count <n>', 'how many examples', integer('count', 1))
        .requiredOption('-o, --out <file>', 'where to write the sample')
        .option('--seed <n>', 'random seed', integer('seed', 0), 0)
        .option('--stratify <field>', 'keep each value of this metadata field in proportion'),
    ),
    'punie dataset sample all.jsonl -n 500 --seed 1 --stratify category -o sample.jsonl',
  ).action((file: string, opts: import('./dataset-run.js').SampleOptions) =>
    run('sample', (m) => m.sampleCommand(file, opts))(),
  )

  addConvertCommand(dataset)
  addGenerateCommand(dataset)
  return dataset
}

function integer(what: string, min: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${what} must be a whole number of at least ${min}`)
    return n
  }
}

function version(value: string): string {
  if (!/^[23](\.\d{1,2})?$/.test(value))
    throw new InvalidArgumentError('a Python version such as 3.8 or 3.12')
  return value
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function share(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new InvalidArgumentError('a similarity above 0 and at most 1')
  return n
}

function ratios(value: string): number[] {
  const parts = value.split(',').map(Number)
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p) || p < 0))
    throw new InvalidArgumentError('two or three shares, e.g. 0.8,0.1,0.1')
  if (Math.abs(parts.reduce((a, b) => a + b, 0) - 1) > 1e-6)
    throw new InvalidArgumentError('the shares must sum to 1')
  return parts
}
