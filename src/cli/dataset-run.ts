// The dataset commands' work: read files through src/dataset/ one line at a time, print results, and return
// the exit code (0 ok, 1 problems in the data). A command line or file that cannot be used throws UsageError (2).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ArgumentChecker } from '../dataset/argument-check.js'
import { Deduplicator, type Duplicate } from '../dataset/dedup.js'
import { analysePython, type FilterSpec, needsPython, rejection } from '../dataset/filter.js'
import { JsonlWriter } from '../dataset/jsonl.js'
import { withProvenance } from '../dataset/merge.js'
import { pythonAnalyzer, SIGNALS } from '../dataset/python-signals.js'
import { readExamples } from '../dataset/read-examples.js'
import { StratifiedReservoir } from '../dataset/sample.js'
import { DrawCollector, drawFor, SPLIT_NAMES, splitIndex } from '../dataset/split.js'
import { StatsAccumulator, statsText } from '../dataset/stats.js'
import { renderStatsHtml } from '../dataset/stats-html.js'
import { stratumOf } from '../dataset/strata.js'
import { type LocatedProblem, type ToolCatalog, validateFiles } from '../dataset/validate.js'
import { createProgress, formatCount, type Progress } from './progress.js'

/** Exit codes: 0 ok, 1 problems found in the data, 2 a command line or file Punie cannot use. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const

export class UsageError extends Error {}

interface Common {
  json?: boolean
  quiet?: boolean
  reportRss?: boolean
}

export async function runDatasetCommand(name: string, work: () => Promise<number>): Promise<void> {
  const reportRss = process.argv.includes('--report-rss')
  try {
    process.exitCode = await work()
  } catch (error) {
    if (!(error instanceof UsageError) && !isFileError(error)) throw error
    process.stderr.write(`punie dataset ${name}: ${(error as Error).message}\n`)
    process.exitCode = EXIT.usage
  } finally {
    // maxRSS is in kilobytes.
    if (reportRss) process.stderr.write(`punie-max-rss-kb ${process.resourceUsage().maxRSS}\n`)
  }
}

function isFileError(error: unknown): boolean {
  return (
    typeof (error as NodeJS.ErrnoException)?.code === 'string' &&
    (error as NodeJS.ErrnoException).code?.startsWith('E') === true
  )
}

function inputFile(path: string): number {
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`)
  const stat = statSync(path)
  if (!stat.isFile()) throw new UsageError(`not a file: ${path}`)
  return stat.size
}

function inputFiles(paths: readonly string[]): number {
  return paths.reduce((n, p) => n + inputFile(p), 0)
}

function outputFile(out: string, inputs: readonly string[]): string {
  const target = resolve(out)
  if (inputs.some((i) => resolve(i) === target)) throw new UsageError(`the output ${out} is also an input`)
  return target
}

function progressFor(opts: Common): Progress {
  return createProgress({ enabled: !opts.quiet })
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Invalid lines a transforming command skipped: listed (the first few), and they make the exit code 1. */
class Skipped {
  count = 0
  private readonly shown: string[] = []
  add(file: string, line: number, problems: readonly string[]): void {
    this.count++
    if (this.shown.length < 20) this.shown.push(`${file}:${line}: ${problems.join('; ')}`)
  }
  report(): void {
    for (const s of this.shown) process.stderr.write(`skipped ${s}\n`)
    if (this.count > this.shown.length)
      process.stderr.write(`… and ${this.count - this.shown.length} more invalid lines skipped\n`)
  }
  get exitCode(): number {
    return this.count ? EXIT.problems : EXIT.ok
  }
}

export interface ValidateOptions extends Common {
  toolsFrom?: string
  maxTokens?: number
}

async function catalogFor(source: string | undefined): Promise<ToolCatalog | undefined> {
  if (!source) return undefined
  const tools = await import('../dataset/punie-tools.js')
  if (source === 'punie') return tools.punieToolCatalog()
  inputFile(source)
  try {
    return tools.catalogFromJson(JSON.parse(readFileSync(source, 'utf8')))
  } catch (error) {
    throw new UsageError(`--tools-from ${source}: ${(error as Error).message}`)
  }
}

export async function validateCommand(files: string[], opts: ValidateOptions): Promise<number> {
  const total = inputFiles(files)
  const catalog = await catalogFor(opts.toolsFrom)
  const progress = progressFor(opts)
  progress.start('validate', total)
  let first = true
  if (opts.json) process.stdout.write('{"problems":[')
  const onProblem = (p: LocatedProblem) => {
    if (opts.json) {
      process.stdout.write(`${first ? '\n' : ',\n'}${JSON.stringify(p)}`)
      first = false
    } else process.stdout.write(`${p.file}:${p.line}: ${p.kind}: ${p.message}\n`)
  }
  const summary = await validateFiles(
    files,
    {
      ...(catalog ? { catalog } : {}),
      ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
      checker: new ArgumentChecker(),
    },
    { onProblem, onLine: (bytes) => progress.tick(1, bytes) },
  )
  const kinds = Object.entries(summary.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  const line = `${formatCount(summary.examples)} examples in ${summary.files} file${summary.files === 1 ? '' : 's'}: ${formatCount(summary.valid)} valid, ${formatCount(summary.invalid)} with problems${summary.problems ? ` (${formatCount(summary.problems)} problems: ${kinds})` : ''}`
  progress.done(`${formatCount(summary.problems)} problems`)
  if (opts.json) process.stdout.write(`${first ? '' : '\n'}],"summary":${JSON.stringify(summary)}}\n`)
  else process.stdout.write(`${line}\n`)
  return summary.problems ? EXIT.problems : EXIT.ok
}

export interface StatsOptions extends Common {
  html?: string
}

export async function statsCommand(files: string[], opts: StatsOptions): Promise<number> {
  const total = inputFiles(files)
  const progress = progressFor(opts)
  progress.start('stats', total)
  const stats = new StatsAccumulator()
  for (const file of files)
    for await (const entry of readExamples(file)) {
      progress.tick(1, entry.bytes)
      if (entry.ok) stats.add(entry.example, file, entry.bytes)
      else stats.addInvalid(file, entry.bytes)
    }
  const result = stats.result()
  progress.done(`${formatCount(result.examples)} examples`)
  if (opts.html) {
    writeFileSync(
      opts.html,
      renderStatsHtml(result, { title: `Dataset: ${files.join(', ')}`, files, generatedAt: new Date() }),
    )
  }
  if (opts.json) printJson(opts.html ? { ...result, html: resolve(opts.html) } : result)
  else {
    process.stdout.write(`${statsText(result)}\n`)
    if (opts.html) process.stdout.write(`\nwrote ${opts.html}\n`)
  }
  if (result.invalid)
    process.stderr.write(
      `${result.invalid} invalid lines were left out; run \`punie dataset validate\` for them\n`,
    )
  return result.invalid ? EXIT.problems : EXIT.ok
}

export interface FilterOptions extends Common, Omit<FilterSpec, 'pythonSignals'> {
  out: string
  pythonSignals?: string[]
}

export async function filterCommand(file: string, opts: FilterOptions): Promise<number> {
  const total = inputFile(file)
  const out = outputFile(opts.out, [file])
  const known = new Set(SIGNALS.map((s) => s.name))
  const unknown = (opts.pythonSignals ?? []).filter((s) => !known.has(s))
  if (unknown.length)
    throw new UsageError(`unknown Python signal ${unknown.join(', ')}; known: ${[...known].join(', ')}`)
  if (opts.toolUse === '') throw new UsageError('--tool-use needs yes, no or a tool name')
  const spec: FilterSpec = {
    ...(opts.language ? { language: opts.language } : {}),
    ...(opts.pythonVersionMin ? { pythonVersionMin: opts.pythonVersionMin } : {}),
    ...(opts.pythonVersionMax ? { pythonVersionMax: opts.pythonVersionMax } : {}),
    ...(opts.pythonSignals ? { pythonSignals: opts.pythonSignals } : {}),
    ...(opts.minTokens !== undefined ? { minTokens: opts.minTokens } : {}),
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    ...(opts.toolUse ? { toolUse: opts.toolUse } : {}),
    ...(opts.outcome ? { outcome: opts.outcome } : {}),
    ...(opts.category ? { category: opts.category } : {}),
  }
  const analyze = needsPython(spec) ? await pythonAnalyzer() : undefined
  const progress = progressFor(opts)
  progress.start('filter', total)
  const writer = new JsonlWriter(out)
  const skipped = new Skipped()
  const dropped: Record<string, number> = {}
  const signals: Record<string, number> = {}
  let read = 0
  try {
    for await (const entry of readExamples(file)) {
      progress.tick(1, entry.bytes)
      if (!entry.ok) {
        skipped.add(file, entry.line, entry.problems)
        continue
      }
      read++
      const python = analyze ? analysePython(entry.example, analyze) : undefined
      for (const s of python?.signals ?? []) signals[s] = (signals[s] ?? 0) + 1
      const why = rejection(entry.example, spec, python)
      if (why) dropped[why] = (dropped[why] ?? 0) + 1
      else await writer.write(entry.example)
    }
  } finally {
    await writer.close()
  }
  progress.done(`${formatCount(writer.count)} kept`)
  const result = {
    read,
    kept: writer.count,
    dropped,
    invalid: skipped.count,
    out,
    ...(analyze ? { pythonSignals: signals } : {}),
  }
  skipped.report()
  if (opts.json) printJson(result)
  else {
    const reasons = Object.entries(dropped)
      .map(([k, n]) => `${n} by ${k}`)
      .join(', ')
    process.stdout.write(
      `kept ${formatCount(result.kept)} of ${formatCount(read)} examples${reasons ? ` (dropped ${reasons})` : ''} → ${opts.out}\n`,
    )
    if (analyze)
      process.stdout.write(
        `Python signals seen: ${
          Object.entries(signals)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none'
        }\n`,
      )
  }
  return skipped.exitCode
}

export interface SplitOptions extends Common {
  out: string
  ratios: number[]
  seed: number
  stratify?: string
}

export async function splitCommand(file: string, opts: SplitOptions): Promise<number> {
  const total = inputFile(file)
  const names = SPLIT_NAMES.slice(0, opts.ratios.length)
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory())
    throw new UsageError(`${opts.out} is not a directory`)
  mkdirSync(opts.out, { recursive: true })
  const paths = names.map((n) => outputFile(join(opts.out, `${n}.jsonl`), [file]))
  const progress = progressFor(opts)
  // Pass 1: each example's seeded draw, by stratum, to find the cut points that give each stratum its shares.
  progress.start('split (1/2: strata)', total)
  const draws = new DrawCollector()
  for await (const entry of readExamples(file)) {
    progress.tick(1, entry.bytes)
    if (entry.ok) draws.add(stratumOf(entry.example, opts.stratify), drawFor(opts.seed, entry.line))
  }
  progress.done('')
  const cuts = draws.cuts(opts.ratios)
  progress.start('split (2/2: write)', total)
  const writers = paths.map((p) => new JsonlWriter(p))
  const skipped = new Skipped()
  const perStratum: Record<string, number[]> = {}
  try {
    for await (const entry of readExamples(file)) {
      progress.tick(1, entry.bytes)
      if (!entry.ok) {
        skipped.add(file, entry.line, entry.problems)
        continue
      }
      const stratum = stratumOf(entry.example, opts.stratify)
      const index = splitIndex(drawFor(opts.seed, entry.line), cuts.get(stratum) ?? [])
      const counts = perStratum[stratum] ?? names.map(() => 0)
      perStratum[stratum] = counts
      counts[index] = (counts[index] ?? 0) + 1
      await writers[index]?.write(entry.example)
    }
  } finally {
    for (const w of writers) await w.close()
  }
  const counts = Object.fromEntries(names.map((n, i) => [n, writers[i]?.count ?? 0]))
  progress.done(names.map((n) => `${n} ${counts[n]}`).join(', '))
  skipped.report()
  const result = {
    files: Object.fromEntries(names.map((n, i) => [n, paths[i]])),
    counts,
    seed: opts.seed,
    ratios: opts.ratios,
    ...(opts.stratify
      ? {
          stratify: opts.stratify,
          strata: Object.fromEntries(
            Object.entries(perStratum).map(([k, c]) => [
              k,
              Object.fromEntries(names.map((n, i) => [n, c[i] ?? 0])),
            ]),
          ),
        }
      : {}),
    invalid: skipped.count,
  }
  if (opts.json) printJson(result)
  else {
    process.stdout.write(
      `${names.map((n) => `${n} ${formatCount(counts[n] ?? 0)}`).join(', ')} → ${opts.out}\n`,
    )
    if (opts.stratify)
      for (const [k, c] of Object.entries(perStratum).sort((a, b) => a[0].localeCompare(b[0])))
        process.stdout.write(
          `  ${opts.stratify}=${k}: ${names.map((n, i) => `${n} ${c[i] ?? 0}`).join(', ')}\n`,
        )
  }
  return skipped.exitCode
}

export interface DedupOptions extends Common {
  out: string
  near?: number | boolean
}

export const DEFAULT_NEAR = 0.9
const DUPLICATES_LISTED = 1000

export async function dedupCommand(file: string, opts: DedupOptions): Promise<number> {
  const total = inputFile(file)
  const out = outputFile(opts.out, [file])
  const near = opts.near === true ? DEFAULT_NEAR : typeof opts.near === 'number' ? opts.near : undefined
  const dedup = new Deduplicator(near)
  const progress = progressFor(opts)
  progress.start('dedup', total)
  const writer = new JsonlWriter(out)
  const skipped = new Skipped()
  const duplicates: Duplicate[] = []
  let exact = 0
  let nearCount = 0
  let read = 0
  try {
    for await (const entry of readExamples(file)) {
      progress.tick(1, entry.bytes)
      if (!entry.ok) {
        skipped.add(file, entry.line, entry.problems)
        continue
      }
      read++
      const dup = dedup.check(entry.example, entry.line)
      if (!dup) {
        await writer.write(entry.example)
        continue
      }
      if (dup.kind === 'exact') exact++
      else nearCount++
      if (duplicates.length < DUPLICATES_LISTED) duplicates.push(dup)
    }
  } finally {
    await writer.close()
  }
  progress.done(`${formatCount(writer.count)} kept`)
  skipped.report()
  const result = {
    read,
    kept: writer.count,
    exactDuplicates: exact,
    nearDuplicates: nearCount,
    ...(near !== undefined ? { near } : {}),
    duplicates,
    invalid: skipped.count,
    out,
  }
  if (opts.json) printJson(result)
  else {
    process.stdout.write(
      `kept ${formatCount(writer.count)} of ${formatCount(read)}: ${formatCount(exact)} exact duplicates${near !== undefined ? `, ${formatCount(nearCount)} near duplicates (similarity ≥ ${near})` : ''} → ${opts.out}\n`,
    )
    for (const d of duplicates.slice(0, 20))
      process.stdout.write(
        `  ${file}:${d.line} ${d.kind === 'exact' ? 'repeats' : `is ${(d.similarity * 100).toFixed(0)}% like`} line ${d.of}\n`,
      )
    if (exact + nearCount > 20)
      process.stdout.write(`  … ${exact + nearCount - 20} more (--json lists up to ${DUPLICATES_LISTED})\n`)
  }
  return skipped.exitCode
}

export interface MergeOptions extends Common {
  out: string
}

export async function mergeCommand(files: string[], opts: MergeOptions): Promise<number> {
  const total = inputFiles(files)
  const out = outputFile(opts.out, files)
  const progress = progressFor(opts)
  progress.start('merge', total)
  const writer = new JsonlWriter(out)
  const skipped = new Skipped()
  const perFile: Record<string, number> = {}
  try {
    for (const file of files) {
      perFile[file] = 0
      for await (const entry of readExamples(file)) {
        progress.tick(1, entry.bytes)
        if (!entry.ok) {
          skipped.add(file, entry.line, entry.problems)
          continue
        }
        perFile[file]++
        await writer.write(withProvenance(entry.example, file, entry.line))
      }
    }
  } finally {
    await writer.close()
  }
  progress.done(`${formatCount(writer.count)} examples`)
  skipped.report()
  if (opts.json) printJson({ examples: writer.count, perFile, invalid: skipped.count, out })
  else
    process.stdout.write(
      `merged ${formatCount(writer.count)} examples from ${files.length} files → ${opts.out}\n`,
    )
  return skipped.exitCode
}

export interface SampleOptions extends Common {
  count: number
  out: string
  seed: number
  stratify?: string
}

export async function sampleCommand(file: string, opts: SampleOptions): Promise<number> {
  const total = inputFile(file)
  const out = outputFile(opts.out, [file])
  const progress = progressFor(opts)
  progress.start('sample (1/2: draw)', total)
  const reservoir = new StratifiedReservoir(opts.count, opts.seed)
  const skipped = new Skipped()
  for await (const entry of readExamples(file)) {
    progress.tick(1, entry.bytes)
    if (entry.ok) reservoir.offer(stratumOf(entry.example, opts.stratify), entry.line)
    else skipped.add(file, entry.line, entry.problems)
  }
  progress.done('')
  const { lines, perStratum } = reservoir.chosen()
  progress.start('sample (2/2: write)', total)
  const writer = new JsonlWriter(out)
  try {
    for await (const entry of readExamples(file)) {
      progress.tick(1, entry.bytes)
      if (entry.ok && lines.has(entry.line)) await writer.write(entry.example)
    }
  } finally {
    await writer.close()
  }
  progress.done(`${formatCount(writer.count)} sampled`)
  skipped.report()
  if (opts.json)
    printJson({
      sampled: writer.count,
      seed: opts.seed,
      ...(opts.stratify ? { stratify: opts.stratify, perStratum } : {}),
      invalid: skipped.count,
      out,
    })
  else {
    process.stdout.write(`sampled ${formatCount(writer.count)} examples (seed ${opts.seed}) → ${opts.out}\n`)
    if (opts.stratify)
      for (const [k, n] of Object.entries(perStratum)) process.stdout.write(`  ${opts.stratify}=${k}: ${n}\n`)
  }
  if (writer.count < opts.count) process.stderr.write(`the file has only ${writer.count} valid examples\n`)
  return skipped.exitCode
}
