// `punie dataset generate`: tool-calling examples from the tool registry on a real workspace (see
// src/dataset/templates-generate.ts). Progress on stderr; exit 0 when all N were written, 1 when fewer, 2 usage.
import { accessSync, constants, realpathSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { isToolMode, TOOL_MODES, type ToolMode } from '../tools/tool-mode.js'

export interface GenerateCommandOptions {
  workspace: string
  n: number
  seed: number
  toolMode: ToolMode
  directShare: number
  out?: string
  only?: string
  displayRoot?: string
}

const USAGE = 2
/** Edits, tests and type checks each run on a fresh copy of the workspace: past this, they are left out. */
const MAX_COPY_BYTES = 64 * 1024 * 1024

export function addGenerateCommand(dataset: Command): Command {
  return dataset
    .command('generate')
    .description(
      'tool-calling examples from the tool registry, run for real on a workspace (canonical JSONL)',
    )
    .requiredOption('--workspace <dir>', 'the project whose files, functions and tests the examples use')
    .option('-n <count>', 'examples to write', integer('count', 1, 1_000_000), 100)
    .option('--seed <n>', 'the same seed gives the same examples', integer('seed', 0, 2 ** 31 - 1), 1)
    .addOption(
      new Option('--tool-mode <mode>', 'the tool mode whose offer the examples show')
        .choices([...TOOL_MODES])
        .default('both'),
    )
    .option('--direct-share <share>', 'share of examples answered without a tool (0..1)', share, 0.3)
    .option('--only <tools>', 'only templates of these tools, comma-separated (e.g. grep,read_file)')
    .option('--display-root <path>', 'the workspace root the system prompt names (default: its real path)')
    .option('-o, --out <file>', 'where to write the JSONL (default: stdout)')
    .addHelpText(
      'after',
      '\nRead-only tools run in the workspace in read-only mode; edits, tests and type checks run in a\n' +
        'temporary copy of it. Tools whose program is missing (pytest, a language server) are left out.\n' +
        '--tool-mode both: core tools as JSON calls, the others from execute_code; direct: JSON calls and\n' +
        'call_tool; code: one execute_code snippet per task.\n' +
        'Exit codes: 0 all N written, 1 fewer (see the notes), 2 usage.',
    )
    .exitOverride((error) => {
      process.exit(error.code === 'commander.helpDisplayed' || error.exitCode === 0 ? 0 : USAGE)
    })
    .action(async (opts: GenerateCommandOptions) => {
      process.exitCode = await runGenerate(opts)
    })
}

function integer(what: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}`)
    return n
  }
}

function share(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a share from 0 to 1, e.g. 0.3')
  return n
}

export async function runGenerate(opts: GenerateCommandOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`)
  let root: string
  try {
    root = realpathSync(resolve(opts.workspace))
    if (!statSync(root).isDirectory()) throw new Error('not a directory')
  } catch (error) {
    say(`punie dataset generate: --workspace ${opts.workspace}: ${(error as Error).message}`)
    return USAGE
  }
  const out = opts.out && opts.out !== '-' ? resolve(opts.out) : undefined
  if (out) {
    try {
      accessSync(dirname(out), constants.W_OK)
    } catch {
      say(
        `punie dataset generate: --out ${opts.out}: cannot write in ${dirname(out)} (missing, or not writable)`,
      )
      return USAGE
    }
  }
  if (!isToolMode(opts.toolMode)) {
    say(`punie dataset generate: --tool-mode must be one of ${TOOL_MODES.join(', ')}`)
    return USAGE
  }
  const [
    { workspaceFacts },
    { generateExamples, usableTemplates },
    { registryExamples },
    { JsonlWriter },
    log,
  ] = await Promise.all([
    import('../dataset/templates-workspace.js'),
    import('../dataset/templates-generate.js'),
    import('../core/dataset-examples.js'),
    import('../dataset/jsonl.js'),
    import('../log/logger.js'),
  ])
  const only = opts.only
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean)
  const started = performance.now()
  const facts = await workspaceFacts(root)
  say(
    `generate: ${root}: ${facts.files.length} files, ${facts.pythonFiles.length} Python (${facts.testFiles.length} test files), ${facts.symbols.length} functions and classes${facts.truncated ? ' (walk cut at its cap)' : ''}`,
  )
  const kit = await registryExamples({
    root,
    toolMode: opts.toolMode,
    ...(opts.displayRoot ? { displayRoot: opts.displayRoot } : {}),
    logger: log.silentLogger,
    files: facts.files,
  })
  const known = new Set(kit.offer.all.map((t) => t.name))
  const unknown = only?.filter((t) => !known.has(t)) ?? []
  if (unknown.length) {
    await kit.close()
    say(`punie dataset generate: --only: no tool named ${unknown.join(', ')}`)
    return USAGE
  }
  const templates = usableTemplates(kit.offer, only)
  say(
    `generate: ${opts.n} examples, seed ${opts.seed}, tool mode ${opts.toolMode}, ${Math.round(opts.directShare * 100)}% direct; ${templates.length} templates over ${new Set(templates.map((t) => t.tool)).size} tools`,
  )
  const writer = new JsonlWriter(out ?? process.stdout)
  const byCategory = new Map<string, number>()
  const tty = process.stderr.isTTY === true
  try {
    for await (const example of generateExamples(facts, kit.offer, kit.runner, {
      n: opts.n,
      seed: opts.seed,
      directShare: opts.directShare,
      ...(only ? { tools: only } : {}),
      copyable: !facts.truncated && facts.bytes <= MAX_COPY_BYTES,
      onNote: (note) => say(`${tty ? '\r\x1b[K' : ''}note: ${note}`),
    })) {
      await writer.write(example)
      const category = example.metadata?.category ?? '?'
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1)
      const line = `generate: ${writer.count}/${opts.n} ${example.metadata?.id ?? ''}`
      if (tty) process.stderr.write(`\r\x1b[K${line}`)
      else say(line)
    }
  } finally {
    await writer.close()
    await kit.close()
  }
  if (tty) process.stderr.write('\n')
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const counts = [...byCategory].map(([c, n]) => `${c} ${n}`).join(', ')
  say(
    `generate: wrote ${writer.count} examples in ${seconds} s${opts.out ? ` to ${opts.out}` : ''}: ${counts}`,
  )
  if (writer.count < opts.n) {
    say(
      `generate: ${opts.n - writer.count} fewer than asked: the workspace or the installed tools gave no more (see the notes)`,
    )
    return 1
  }
  return 0
}
