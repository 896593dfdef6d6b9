// git status, diff and log as structured results. Every call goes through git-command.ts, so a repository's
// configuration runs no program; refs and paths the model gives are checked as argv words.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { gitRevision } from './argv.js'
import {
  GIT_ENV,
  GIT_ENV_UNSET,
  gitArgv,
  LIST_FILTERS,
  NO_DIFF_DRIVERS,
  repositoryFilters,
} from './git-command.js'
import { DevtoolError, runProcess, stderrTail } from './process.js'

const TIMEOUT_MS = 30_000
const MAX_DIFF_CHARS = 50_000

export interface GitStatus {
  branch: string | null
  upstream: string | null
  ahead: number
  behind: number
  files: { path: string; staged: string; unstaged: string; originalPath?: string }[]
  clean: boolean
}

export interface GitDiff {
  files: { path: string; additions: number | null; deletions: number | null }[]
  diff: string
  truncated: boolean
}

export interface GitCommit {
  hash: string
  author: string
  date: string
  subject: string
}

/** Narrows a diff or log: a revision to compare with or start from, and a workspace-relative path. */
export interface GitScope {
  ref?: string
  /** Relative to `cwd`; the caller has checked it against the workspace. */
  path?: string
}

function spawnGit(cwd: string, args: string[], signal?: AbortSignal) {
  return runProcess('git', args, {
    cwd,
    timeoutMs: TIMEOUT_MS,
    tool: 'git',
    installHint: 'install git',
    env: { ...GIT_ENV },
    unsetEnv: GIT_ENV_UNSET,
    ...(signal ? { signal } : {}),
  })
}

/** The filter drivers the repository's own config defines; they are switched off in every call. */
async function filtersToDisable(cwd: string, signal?: AbortSignal): Promise<string[]> {
  const result = await spawnGit(cwd, gitArgv(LIST_FILTERS), signal)
  // Exit 1: no filter is configured. Anything else: the config could not be read, so nothing is known safe.
  if (result.exitCode === 1) return []
  if (result.exitCode !== 0) {
    const why = stderrTail(result.stderr)
    if (/not a git repository/i.test(why))
      throw new DevtoolError('git', 'bad_output', `${cwd} is not inside a git repository`)
    throw new DevtoolError('git', 'crashed', `git could not read the repository's config: ${why}`)
  }
  const names = repositoryFilters(result.stdout)
  const unsafe = names.find((name) => name.includes('='))
  if (unsafe !== undefined)
    throw new DevtoolError(
      'git',
      'bad_output',
      `the repository's config defines a filter named "${unsafe}", which git cannot be told to switch off; not running git`,
    )
  return names
}

async function git(cwd: string, args: string[], signal?: AbortSignal, filters?: string[]): Promise<string> {
  const off = filters ?? (await filtersToDisable(cwd, signal))
  // The workspace root holds .git (it is the project root): its files, wherever core.worktree points.
  const workTree = existsSync(join(cwd, '.git')) ? cwd : undefined
  const result = await spawnGit(cwd, gitArgv(args, off, workTree), signal)
  if (result.exitCode !== 0) {
    const why = stderrTail(result.stderr)
    if (/not a git repository/i.test(why))
      throw new DevtoolError('git', 'bad_output', `${cwd} is not inside a git repository`)
    throw new DevtoolError('git', 'crashed', `git ${args[0]} failed (exit ${result.exitCode}): ${why}`)
  }
  return result.stdout
}

export async function gitStatus(cwd: string, signal?: AbortSignal): Promise<GitStatus> {
  const out = await git(
    cwd,
    ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignore-submodules=dirty'],
    signal,
  )
  return parseStatus(out)
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatus(out: string): GitStatus {
  const status: GitStatus = { branch: null, upstream: null, ahead: 0, behind: 0, files: [], clean: true }
  const records = out.split('\0')
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as string
    if (record.startsWith('# branch.head ')) {
      const head = record.slice('# branch.head '.length)
      status.branch = head === '(detached)' ? null : head
    } else if (record.startsWith('# branch.upstream ')) {
      status.upstream = record.slice('# branch.upstream '.length)
    } else if (record.startsWith('# branch.ab ')) {
      const match = /\+(\d+) -(\d+)/.exec(record)
      status.ahead = Number(match?.[1] ?? 0)
      status.behind = Number(match?.[2] ?? 0)
    } else if (record.startsWith('1 ')) {
      const parts = record.split(' ')
      const xy = parts[1] ?? '..'
      status.files.push({ path: parts.slice(8).join(' '), staged: xy[0] ?? '.', unstaged: xy[1] ?? '.' })
    } else if (record.startsWith('2 ')) {
      const parts = record.split(' ')
      const xy = parts[1] ?? '..'
      status.files.push({
        path: parts.slice(9).join(' '),
        staged: xy[0] ?? '.',
        unstaged: xy[1] ?? '.',
        originalPath: records[++i] ?? '',
      })
    } else if (record.startsWith('u ')) {
      const parts = record.split(' ')
      status.files.push({ path: parts.slice(10).join(' '), staged: 'U', unstaged: 'U' })
    } else if (record.startsWith('? ')) {
      status.files.push({ path: record.slice(2), staged: '?', unstaged: '?' })
    }
  }
  status.clean = status.files.length === 0
  return status
}

export async function gitDiff(
  cwd: string,
  staged: boolean,
  signal?: AbortSignal,
  scope: GitScope = {},
): Promise<GitDiff> {
  const base = ['diff', ...NO_DIFF_DRIVERS, '--ignore-submodules=dirty', ...(staged ? ['--cached'] : [])]
  const tail = scopeArgs(scope)
  const filters = await filtersToDisable(cwd, signal)
  const [numstat, text] = await Promise.all([
    git(cwd, [...base, '--numstat', '-z', ...tail], signal, filters),
    git(cwd, [...base, '--no-color', ...tail], signal, filters),
  ])
  const files = numstat
    .split('\0')
    .filter(Boolean)
    .map((row) => {
      const [added, deleted, ...path] = row.split('\t')
      return {
        path: path.join('\t'),
        additions: added === '-' ? null : Number(added),
        deletions: deleted === '-' ? null : Number(deleted),
      }
    })
  return { files, diff: text.slice(0, MAX_DIFF_CHARS), truncated: text.length > MAX_DIFF_CHARS }
}

export async function gitLog(
  cwd: string,
  count: number,
  signal?: AbortSignal,
  scope: GitScope = {},
): Promise<GitCommit[]> {
  const args = [
    'log',
    ...NO_DIFF_DRIVERS,
    '--no-show-signature',
    `-n${count}`,
    '--format=%H%x1f%an%x1f%aI%x1f%s%x1e',
    ...scopeArgs(scope),
  ]
  const out = await git(cwd, args, signal).catch((error) => {
    // A repository without commits has no log; that is an empty history, not an error.
    if (error instanceof DevtoolError && /does not have any commits/.test(error.message)) return ''
    throw error
  })
  return out
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((row) => {
      const [hash = '', author = '', date = '', subject = ''] = row.split('\x1f')
      return { hash, author, date, subject }
    })
}

/** `--end-of-options REF -- PATH`: neither can be read as an option, whatever the checks missed. */
function scopeArgs(scope: GitScope): string[] {
  return [
    '--end-of-options',
    ...(scope.ref !== undefined ? [gitRevision(scope.ref)] : []),
    '--',
    ...(scope.path !== undefined ? [scope.path] : []),
  ]
}
