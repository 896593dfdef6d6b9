// The one way Punie starts git on its own account: argv and environment that keep a repository's configuration
// (.git/config, its includes, .gitattributes drivers) from running any program. The user's global config still
// applies (identity, safe.directory); system config does not.

/** Options before the subcommand: no pager, literal paths, and every program-running setting switched off. */
const GLOBAL_OPTIONS: readonly string[] = [
  '--no-pager',
  '--literal-pathspecs',
  // Run during status/diff when the index is refreshed.
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.pager=cat',
  '-c',
  'diff.external=',
  // A partial clone fetches missing objects lazily: no transport, so no ssh command or credential helper.
  '-c',
  'protocol.allow=never',
  '-c',
  'credential.helper=',
  '-c',
  'core.sshCommand=',
  '-c',
  'core.askPass=',
  // log.showSignature makes `git log` run gpg.program.
  '-c',
  'log.showSignature=false',
  '-c',
  'gpg.program=',
  '-c',
  'core.attributesFile=/dev/null',
]

/** Subcommand options that keep diff and log from running textconv and external diff drivers. */
export const NO_DIFF_DRIVERS: readonly string[] = ['--no-textconv', '--no-ext-diff']

/** Environment for every git call: no prompts, no pager, no system config or attributes. */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_ATTR_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  PAGER: 'cat',
  GIT_OPTIONAL_LOCKS: '0',
  GIT_NO_LAZY_FETCH: '1',
  LC_ALL: 'C',
}

/** Variables of Punie's own environment that would point git at another program or repository. */
export const GIT_ENV_UNSET: readonly string[] = [
  'GIT_EXTERNAL_DIFF',
  'GIT_DIFF_OPTS',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_ASKPASS',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_CONFIG',
]

/** Lists the filter drivers git's config defines, with their scopes (`git config -z --name-only --show-scope`). */
export const LIST_FILTERS: readonly string[] = [
  'config',
  '-z',
  '--name-only',
  '--show-scope',
  '--get-regexp',
  String.raw`^filter\.`,
]

/**
 * The filter drivers to switch off, from LIST_FILTERS' output: those the repository defines (local or worktree
 * config and what they include). Their clean/smudge/process commands run during `git status` and `git diff`.
 * The user's global drivers (git-lfs, say) are the user's own programs and stay.
 */
export function repositoryFilters(listing: string): string[] {
  const fields = listing.split('\0')
  const names = new Set<string>()
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i] as string
    const key = fields[i + 1] as string
    if (scope === 'global' || scope === 'command') continue
    const match = /^filter\.(.+)\.[^.]+$/s.exec(key)
    if (match?.[1]) names.add(match[1])
  }
  return [...names]
}

/**
 * The full argv after `git`: the safe global options, overrides for the given filters, then the subcommand.
 * `workTree` (the directory holding `.git`) overrides `core.worktree`, which could point git at files outside.
 */
export function gitArgv(
  args: readonly string[],
  filters: readonly string[] = [],
  workTree?: string,
): string[] {
  const off = filters.flatMap((name) =>
    ['clean=', 'smudge=', 'process=', 'required=false'].flatMap((setting) => [
      '-c',
      `filter.${name}.${setting}`,
    ]),
  )
  return [...GLOBAL_OPTIONS, ...(workTree !== undefined ? [`--work-tree=${workTree}`] : []), ...off, ...args]
}
