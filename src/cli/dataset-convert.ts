// `punie dataset convert IN --from F --to G -o OUT`: streams a dataset from one format to another, every bad line
// reported as file:line on stderr and skipped, with progress (an updating line on a terminal, else a line every
// few seconds). Exit codes: 0 converted, 1 bad lines or a failed write, 2 a command line that cannot be run.
import { statSync } from 'node:fs'
import { type Command, Option } from 'commander'
import { FORMATS, formatByName, formatNames } from '../dataset/formats/index.js'
import { createProgress } from './progress.js'

const USAGE_ERROR = 2
const DEFAULT_PROGRESS_SECONDS = 5

export interface ConvertCommandOptions {
  from?: string
  to: string
  output: string
  codeForm?: boolean
  progress: number
}

export function addConvertCommand(dataset: Command): Command {
  return dataset
    .command('convert')
    .description('convert a dataset between formats, line by line (the file is never loaded whole)')
    .argument('<input>', 'the JSONL file to read')
    .option('--from <format>', 'its format (default: told from its first lines)')
    .requiredOption('--to <format>', 'the format to write')
    .requiredOption('-o, --output <file>', 'the JSONL file to write (- for standard output)')
    .option('--code-form', 'write tool calls in Code Mode form: one execute_code snippet per turn')
    .addOption(
      new Option('--progress <seconds>', 'seconds between progress lines when not on a terminal')
        .default(DEFAULT_PROGRESS_SECONDS)
        .argParser(Number),
    )
    .addHelpText(
      'after',
      `\nFormats:\n${FORMATS.map((f) => `  ${f.name.padEnd(12)} ${f.description}`).join('\n')}\n\n` +
        'Bad lines are reported as FILE:LINE: problem on stderr and skipped.\n' +
        'Exit codes: 0 every line converted, 1 bad lines (the rest converted) or a failed write, 2 usage.',
    )
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR))
    .action(async (input: string, opts: ConvertCommandOptions) => {
      process.exitCode = await runConvert(input, opts)
    })
}

export async function runConvert(input: string, opts: ConvertCommandOptions): Promise<number> {
  const usage = (message: string): number => {
    process.stderr.write(`punie dataset convert: ${message}\n`)
    return USAGE_ERROR
  }
  const known = `known formats: ${formatNames().join(', ')}`
  const to = formatByName(opts.to)
  if (!to) return usage(`unknown format '${opts.to}' for --to; ${known}`)
  let size: number
  try {
    const stat = statSync(input)
    if (!stat.isFile()) return usage(`${input} is not a file`)
    size = stat.size
  } catch {
    return usage(`cannot read ${input}: no such file`)
  }
  let fromName = opts.from
  if (fromName === undefined) {
    const { sniffFormat } = await import('../dataset/formats/detect.js')
    const sniffed = await sniffFormat(input)
    if ('ambiguous' in sniffed)
      return usage(`${input} could be ${sniffed.ambiguous.join(' or ')}: pass --from`)
    if ('unknown' in sniffed) return usage(`${input}: ${sniffed.unknown}; pass --from`)
    fromName = sniffed.format
    process.stderr.write(`reading ${input} as ${fromName}\n`)
  }
  const from = formatByName(fromName)
  if (!from) return usage(`unknown format '${fromName}' for --from; ${known}`)
  if (!Number.isFinite(opts.progress) || opts.progress < 0)
    return usage('--progress must be a number of seconds')

  const { convertDataset } = await import('../dataset/convert.js')
  const progress = createProgress({ lineEverySeconds: opts.progress })
  progress.start('convert', size)
  // The converter reports running totals; the progress line takes what was done since the last report.
  const done = { lines: 0, bytes: 0 }
  try {
    const summary = await convertDataset({
      input,
      output: opts.output === '-' ? process.stdout : opts.output,
      from,
      to,
      codeForm: opts.codeForm === true,
      onProblem: (line, problem) => progress.note(`${input}:${line}: ${problem}`),
      onProgress: (lines, bytes) => {
        progress.tick(lines - done.lines, bytes - done.bytes)
        done.lines = lines
        done.bytes = bytes
      },
    })
    const bad = summary.problems
      ? `; ${summary.problems} bad line${summary.problems === 1 ? '' : 's'} skipped`
      : ''
    progress.done(
      `converted ${summary.written} of ${summary.lines} lines from ${from.name} to ${to.name}${opts.output === '-' ? '' : ` into ${opts.output}`}${bad}`,
    )
    return summary.problems ? 1 : 0
  } catch (error) {
    progress.note(`punie dataset convert: ${(error as Error).message}`)
    return 1
  }
}
