import picomatch from 'picomatch'
import { z } from 'zod'
import { defineTool } from '../define.js'
import { GrepRunner } from './grep-runner.js'

const MAX_MATCHES = 100
const MAX_FILE_BYTES = 2 * 1024 * 1024
const MAX_LINE = 300
/** Names of files too large to search that the result lists; the count covers all of them. */
const MAX_LISTED_TOO_LARGE = 20
/** Files go to the search thread in batches of about this much text (or this many files). */
const BATCH_CHARS = 256 * 1024
const BATCH_FILES = 64

export const grep = defineTool({
  name: 'grep',
  description: `Search file contents for a regular expression (JavaScript syntax), skipping what .gitignore excludes. At most ${MAX_MATCHES} lines.`,
  kind: 'search',
  permission: 'never',
  input: z.object({
    pattern: z.string().min(1),
    path: z.string().optional(),
    glob: z.string().optional().describe('Only files matching this glob'),
    ignore_case: z.boolean().optional(),
  }),
  output: z.object({
    matches: z.array(z.object({ path: z.string(), line: z.number().int(), text: z.string() })),
    truncated: z.boolean(),
    filesSearched: z.number().int(),
    /** Files over the size limit, not searched: a "no matches" must not read as "not there". */
    tooLarge: z.object({ count: z.number().int(), paths: z.array(z.string()) }),
  }),
  title: ({ pattern, path }) => `Search for /${pattern}/${path ? ` in ${path}` : ''}`,
  render: (out) =>
    [
      ...(out.matches.length
        ? [
            ...out.matches.map((m) => `${m.path}:${m.line}: ${m.text}`),
            ...(out.truncated ? [`[truncated at ${MAX_MATCHES} matches]`] : []),
          ]
        : [`No matches in ${out.filesSearched} files.`]),
      ...(out.tooLarge.count
        ? [
            `[not searched: ${out.tooLarge.count} files over ${MAX_FILE_BYTES / 1024 / 1024} MB: ${out.tooLarge.paths.join(', ')}${out.tooLarge.count > out.tooLarge.paths.length ? ', …' : ''}; read them in parts with read_file line/limit, or search them with run_command]`,
          ]
        : []),
    ].join('\n'),
  run: async ({ pattern, path = '.', glob, ignore_case }, ctx) => {
    const flags = ignore_case ? 'i' : ''
    try {
      // Compiling is cheap and catches syntax errors here; matching, which can take exponential time, is not.
      new RegExp(pattern, flags)
    } catch (error) {
      throw new Error(`invalid regular expression: ${(error as Error).message}`)
    }
    const runner = ctx.memo('grep.runner', () => new GrepRunner())
    const base = await ctx.workspace.resolve(path)
    const include = glob ? picomatch(glob, { dot: true }) : () => true
    const matches: { path: string; line: number; text: string }[] = []
    // The deadline counts time spent matching, not walking or reading: a big tree is not a slow pattern.
    let budgetMs = ctx.settings.grepTimeoutMs
    let filesSearched = 0
    let batch: { file: string; text: string }[] = []
    let batchChars = 0
    /** Searches the batch; true when enough matches were found. */
    const flush = async (): Promise<boolean> => {
      if (!batch.length) return false
      const files = batch
      batch = []
      batchChars = 0
      const started = performance.now()
      const result = await runner.search(
        {
          pattern,
          flags,
          texts: files.map((f) => f.text),
          limit: MAX_MATCHES + 1 - matches.length,
          maxLine: MAX_LINE,
        },
        { timeoutMs: Math.max(1, budgetMs), signal: ctx.signal },
      )
      budgetMs -= performance.now() - started
      const display = (index: number) => ctx.workspace.display(files[index]?.file ?? base)
      for (const m of result.matches) matches.push({ path: display(m.index), line: m.line, text: m.text })
      if (result.status === 'cancelled') throw new DOMException('grep was cancelled', 'AbortError')
      if (result.status === 'error')
        throw new Error(`the search failed in ${display(result.current)}: ${result.message}`)
      if (result.status === 'timeout')
        throw new GrepTimeoutError(ctx.settings.grepTimeoutMs, display(result.current), matches)
      return matches.length > MAX_MATCHES
    }
    const tooLarge = { count: 0, paths: [] as string[] }
    const done = () => ({ matches: matches.slice(0, MAX_MATCHES), truncated: true, filesSearched, tooLarge })
    for await (const file of ctx.workspace.walkFiles(path, ctx.signal)) {
      if (!include(file.slice(base.length + 1))) continue
      const info = await ctx.workspace.stat(file)
      if (!info) continue
      if (info.size > MAX_FILE_BYTES) {
        if (tooLarge.count++ < MAX_LISTED_TOO_LARGE) tooLarge.paths.push(ctx.workspace.display(file))
        continue
      }
      const text = await ctx.workspace.readDiskText(file, ctx.signal).catch(() => '')
      if (text.includes('\0')) continue
      filesSearched++
      batch.push({ file, text })
      batchChars += text.length
      if ((batchChars >= BATCH_CHARS || batch.length >= BATCH_FILES) && (await flush())) return done()
    }
    if (await flush()) return done()
    return { matches, truncated: false, filesSearched, tooLarge }
  },
})

/** The pattern ran past grep's deadline; the message carries what was found before it was stopped. */
export class GrepTimeoutError extends Error {
  override name = 'TimeoutError'
  constructor(timeoutMs: number, file: string, found: { path: string; line: number; text: string }[]) {
    const shown = found.slice(0, MAX_MATCHES)
    super(
      [
        `the pattern took too long: simplify it (stopped after ${timeoutMs / 1000} s of matching, in ${file}). ` +
          'Nested quantifiers such as (a+)+ and back-references inside repetition can take exponential time.',
        shown.length
          ? `Matches found before it was stopped (${shown.length}):\n${shown.map((m) => `${m.path}:${m.line}: ${m.text}`).join('\n')}`
          : 'No matches were found before it was stopped.',
      ].join('\n'),
    )
  }
}
