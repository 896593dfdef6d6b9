// `punie flywheel enable|disable|stats|review|export`: training data from the user's own sessions, for the
// projects they opted in. Reads the session store read-only; review decisions go to a file beside it.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { homePaths, punieHome } from '../config/home.js'
import type { Example } from '../dataset/example.js'
import { type DatasetFormat, formatByName, formatNames } from '../dataset/formats/index.js'
import { JsonlWriter } from '../dataset/jsonl.js'
import { type CapturedSession, captureSessions } from '../flywheel/capture.js'
import { type Decision, Decisions } from '../flywheel/decisions.js'
import { capturedProjects, isCaptured, projectOf, setCaptured, storeSpellings } from '../flywheel/opt-in.js'
import { exampleLines } from '../flywheel/review.js'
import { addFound, type SecretKind } from '../flywheel/scrub.js'
import { SessionReader } from '../flywheel/session-reader.js'

/** What went wrong and the exit code: 1 for a problem found, 2 for a command line that cannot be used. */
export class FlywheelCommandError extends Error {
  override name = 'FlywheelCommandError'
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}

export interface ScopeOptions {
  project?: string
  since?: string
}

export interface ExportOptions extends ScopeOptions {
  output: string
  format?: string
  onlySuccessful?: boolean
  accepted?: boolean
}

export interface ReviewOptions extends ScopeOptions {
  list?: boolean
  acceptAll?: boolean
  /** Show examples already decided too. */
  all?: boolean
}

interface Io {
  out: (text: string) => void
  err: (text: string) => void
  env: Readonly<Record<string, string | undefined>>
}

const defaultIo = (): Io => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
})

function paths(env: Io['env']) {
  return homePaths(punieHome(env))
}

export function runEnable(dir: string | undefined, on: boolean, io: Io = defaultIo()): void {
  const target = resolve(dir ?? process.cwd())
  if (on && !existsSync(target)) throw new FlywheelCommandError(`no directory ${target}`)
  const root = projectOf(target)
  const changed = setCaptured(paths(io.env).config, root, on)
  io.out(
    on
      ? changed
        ? `Capture on for ${root}: \`punie flywheel export\` may read its sessions (nothing is sent anywhere).\n`
        : `${root} is already captured.\n`
      : changed
        ? `Capture off for ${root}: the flywheel no longer reads its sessions.\n`
        : `${root} was not captured.\n`,
  )
}

/** `--since`: a date (2025-01-31, or any date Date.parse reads) or an age (30m, 12h, 7d, 2w). */
export function parseSince(text: string, now = Date.now()): number {
  const age = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(text.trim())
  if (age) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[age[2] as 'm' | 'h' | 'd' | 'w']
    return now - Number(age[1]) * unit
  }
  const at = Date.parse(text)
  if (Number.isNaN(at))
    throw new FlywheelCommandError(
      `--since takes a date (2025-01-31) or an age (30m, 12h, 7d, 2w), not ${JSON.stringify(text)}`,
      2,
    )
  return at
}

/** The opted-in projects the command reads: all of them, or the one --project names. */
function scope(options: ScopeOptions, io: Io): { projects: string[]; since?: number } {
  const projects = capturedProjects(paths(io.env).config)
  const since = options.since !== undefined ? parseSince(options.since) : undefined
  if (options.project !== undefined) {
    const root = projectOf(resolve(options.project))
    if (!isCaptured(root, projects))
      throw new FlywheelCommandError(
        `${root} is not captured: run \`punie flywheel enable ${root}\` first (capture is opt-in per project)`,
      )
    return { projects: storeSpellings([root]), ...(since !== undefined ? { since } : {}) }
  }
  if (!projects.length)
    throw new FlywheelCommandError(
      'no project is captured: run `punie flywheel enable [DIR]` in a project to opt it in',
    )
  return { projects: storeSpellings(projects), ...(since !== undefined ? { since } : {}) }
}

/** The scope is checked at once (before an output file is created); the sessions are read as they are used. */
function sessions(options: ScopeOptions, io: Io): Generator<CapturedSession> {
  return read(scope(options, io), io)
}

function* read(
  { projects, since }: { projects: string[]; since?: number },
  io: Io,
): Generator<CapturedSession> {
  const reader = SessionReader.open(paths(io.env).database)
  try {
    yield* captureSessions(reader, {
      projects,
      home: io.env.HOME || homedir(),
      ...(since !== undefined ? { since } : {}),
    })
  } finally {
    reader.close()
  }
}

export function runStats(options: ScopeOptions & { json?: boolean }, io: Io = defaultIo()): void {
  const byProject = new Map<
    string,
    { sessions: number; turns: number; lost: number; examples: number; outcomes: Record<string, number> }
  >()
  const labels: Record<string, number> = {}
  const outcomes: Record<string, number> = {}
  const redacted: Partial<Record<SecretKind, number>> = {}
  const decisions = Decisions.load(paths(io.env).database)
  const reviewed: Record<Decision | 'undecided', number> = { accepted: 0, rejected: 0, undecided: 0 }
  for (const s of sessions(options, io)) {
    const p = byProject.get(s.project) ?? { sessions: 0, turns: 0, lost: 0, examples: 0, outcomes: {} }
    p.sessions++
    p.turns += s.turns
    p.lost += s.lost
    for (const { example, found } of s.examples) {
      p.examples++
      const outcome = example.metadata?.outcome ?? 'unknown'
      p.outcomes[outcome] = (p.outcomes[outcome] ?? 0) + 1
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      for (const l of example.metadata?.labels ?? []) labels[l] = (labels[l] ?? 0) + 1
      addFound(redacted, found)
      reviewed[decisions.get(example.metadata?.id ?? '') ?? 'undecided']++
    }
    byProject.set(s.project, p)
  }
  const projects = [...byProject].map(([root, p]) => ({ root, ...p }))
  const totals = projects.reduce(
    (t, p) => ({
      sessions: t.sessions + p.sessions,
      turns: t.turns + p.turns,
      lost: t.lost + p.lost,
      examples: t.examples + p.examples,
    }),
    { sessions: 0, turns: 0, lost: 0, examples: 0 },
  )
  if (options.json) {
    io.out(`${JSON.stringify({ ...totals, outcomes, labels, redacted, reviewed, projects }, null, 2)}\n`)
    return
  }
  const line = (label: string, value: string) => `${label.padEnd(22)}${value}\n`
  io.out(line('sessions', String(totals.sessions)))
  io.out(
    line(
      'turns',
      `${totals.turns}${totals.lost ? ` (+${totals.lost} no longer stored: before a /clear)` : ''}`,
    ),
  )
  io.out(line('examples', String(totals.examples)))
  io.out(line('by outcome', describe(outcomes)))
  io.out(line('by label', describe(labels)))
  io.out(line('redacted', describe(redacted)))
  io.out(line('reviewed', describe(reviewed)))
  for (const p of projects)
    io.out(
      `  ${p.root}: ${plural(p.sessions, 'session')}, ${plural(p.examples, 'example')} (${describe(p.outcomes)})\n`,
    )
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function describe(counts: Record<string, number | undefined>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([k, n]) => `${k} ${n}`)
  return parts.length ? parts.join(', ') : 'none'
}

export async function runExport(options: ExportOptions, io: Io = defaultIo()): Promise<void> {
  const formatName = options.format ?? 'openai'
  const format: DatasetFormat | undefined = formatByName(formatName)
  if (!format)
    throw new FlywheelCommandError(
      `unknown format ${JSON.stringify(formatName)}: use one of ${formatNames().join(', ')}`,
      2,
    )
  const decisions = options.accepted ? Decisions.load(paths(io.env).database) : undefined
  const captured = sessions(options, io)
  const toStdout = options.output === '-'
  const writer = new JsonlWriter(toStdout ? process.stdout : resolve(options.output))
  const redacted: Partial<Record<SecretKind, number>> = {}
  let seen = 0
  let sessionCount = 0
  let failed = 0
  try {
    for (const s of captured) {
      sessionCount++
      for (const { example, found } of s.examples) {
        seen++
        if (!keep(example, options, decisions)) continue
        let line: unknown
        try {
          line = format.fromExample(example)
        } catch (error) {
          failed++
          io.err(`${example.metadata?.id}: not expressible in ${format.name}: ${(error as Error).message}\n`)
          continue
        }
        addFound(redacted, found)
        await writer.write(line)
      }
    }
  } finally {
    await writer.close()
  }
  io.err(
    `Exported ${writer.count} of ${plural(seen, 'example')} from ${plural(sessionCount, 'session')} as ${format.name}${toStdout ? '' : ` to ${options.output}`}; redacted: ${describe(redacted)}\n`,
  )
  if (failed) throw new FlywheelCommandError(`${failed} examples could not be written as ${format.name}`)
}

function keep(example: Example, options: ExportOptions, decisions: Decisions | undefined): boolean {
  if (options.onlySuccessful && example.metadata?.outcome !== 'success') return false
  if (decisions && decisions.get(example.metadata?.id ?? '') !== 'accepted') return false
  return true
}

/** A few lines a reviewer can judge an example by. */
export function summarize(example: Example, decision?: Decision): string {
  const m = example.metadata
  return [
    `${m?.id ?? '(no id)'}  ${m?.outcome ?? 'unknown'}  [${(m?.labels ?? []).join(', ')}]${decision ? `  (${decision})` : ''}`,
    ...exampleLines(example).map((line) => `  ${line}`),
  ].join('\n')
}

export async function runReview(options: ReviewOptions, io: Io = defaultIo()): Promise<void> {
  const decisions = Decisions.load(paths(io.env).database)
  const pending: Example[] = []
  for (const s of sessions(options, io))
    for (const { example } of s.examples)
      if (options.all || options.list || !decisions.get(example.metadata?.id ?? '')) pending.push(example)
  if (options.list) {
    for (const e of pending) io.out(`${summarize(e, decisions.get(e.metadata?.id ?? ''))}\n\n`)
    io.out(`${pending.length} examples; ${decisions.size} decided (${decisions.path})\n`)
    return
  }
  if (options.acceptAll) {
    for (const e of pending) decisions.set(e.metadata?.id ?? '', 'accepted')
    decisions.save()
    io.out(`Accepted ${pending.length} examples (${decisions.path}).\n`)
    return
  }
  if (!process.stdin.isTTY)
    throw new FlywheelCommandError(
      'review asks in a terminal: without one, use --list to see the examples or --accept-all',
      2,
    )
  if (!pending.length) {
    io.out('Nothing to review: every example has a decision (--all shows them again).\n')
    return
  }
  const counts = { accepted: 0, rejected: 0, skipped: 0 }
  const keys = keyReader()
  let i = 0
  try {
    for (; i < pending.length; i++) {
      const example = pending[i] as Example
      io.out(
        `\n(${i + 1}/${pending.length}) ${summarize(example, decisions.get(example.metadata?.id ?? ''))}\n`,
      )
      io.out('  [a]ccept  [r]eject  [s]kip  [q]uit > ')
      const key = await keys.next()
      io.out(`${key}\n`)
      if (key === 'q') break
      if (key === 'a' || key === 'r') {
        decisions.set(example.metadata?.id ?? '', key === 'a' ? 'accepted' : 'rejected')
        // Saved at each answer: quitting with Ctrl-C keeps what was decided.
        decisions.save()
        counts[key === 'a' ? 'accepted' : 'rejected']++
      } else counts.skipped++
    }
  } finally {
    keys.close()
  }
  io.out(
    `\n${counts.accepted} accepted, ${counts.rejected} rejected, ${counts.skipped} skipped, ${pending.length - i} left (${decisions.path})\n`,
  )
}

type Key = 'a' | 'r' | 's' | 'q'

/** Keys a r s q from the terminal in raw mode, one at a time even when several arrive at once; Ctrl-C, Ctrl-D quit. */
function keyReader(): { next(): Promise<Key>; close(): void } {
  const stdin = process.stdin
  const pending: Key[] = []
  let waiting: ((key: Key) => void) | undefined
  const onData = (data: Buffer) => {
    for (const ch of data.toString('utf8').toLowerCase()) {
      const key = ch === '\u0003' || ch === '\u0004' ? 'q' : ch
      if (key !== 'a' && key !== 'r' && key !== 's' && key !== 'q') continue
      if (waiting) {
        const wake = waiting
        waiting = undefined
        wake(key)
      } else pending.push(key)
    }
  }
  stdin.setRawMode(true)
  stdin.on('data', onData)
  stdin.resume()
  return {
    next: () => {
      const key = pending.shift()
      return key ? Promise.resolve(key) : new Promise((resolveKey) => (waiting = resolveKey))
    },
    close: () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
    },
  }
}

/** Runs a subcommand; a known failure is one line on stderr and its exit code. */
export async function runFlywheel(run: () => void | Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    const known =
      error instanceof FlywheelCommandError ||
      (error as Error).name === 'ConfigError' ||
      (error as Error).name === 'FlywheelStoreError'
    if (!known) throw error
    process.stderr.write(`punie flywheel: ${(error as Error).message}\n`)
    process.exitCode = error instanceof FlywheelCommandError ? error.exitCode : 1
  }
}
