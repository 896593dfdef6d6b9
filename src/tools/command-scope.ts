// What "always" may remember of a command line, decided on a real bash parse: a grant covers only a single
// simple command whose program and leading subcommand match; a rejection refuses every line in which the
// rejected program runs, however it is written. Pure, given the parse.
import { posix } from 'node:path'
import type { ShellNode } from './bash-parser.js'
import type { CallScope } from './permission.js'
import { isSensitivePath } from './sensitive-paths.js'

/** Programs whose first word is a subcommand that says what they do (`git status`, `npm test`). */
const WITH_SUBCOMMAND = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'uv',
  'pip',
  'pip3',
  'poetry',
  'pdm',
  'hatch',
  'cargo',
  'go',
  'make',
  'docker',
  'kubectl',
])

/** Subcommands that start a program named by the next words, which the grant cannot know. */
const LAUNCHING_SUBCOMMANDS = new Set(['exec', 'dlx', 'x', 'tool', 'run'])
/** Where `run` runs a script of the project's manifest rather than any program. */
const RUNS_SCRIPTS = new Set(['npm', 'pnpm', 'yarn', 'bun', 'cargo', 'go', 'make'])

/** Programs that run code or commands given in their arguments: only the exact line may be remembered. */
const RUNS_ARGUMENTS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'fish',
  'csh',
  'tcsh',
  'busybox',
  'python',
  'python2',
  'python3',
  'pypy',
  'pypy3',
  'node',
  'nodejs',
  'deno',
  'perl',
  'ruby',
  'php',
  'lua',
  'luajit',
  'tclsh',
  'wish',
  'rscript',
  'julia',
  'osascript',
  'pwsh',
  'powershell',
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'sed',
  'gsed',
  'find',
  'xargs',
  'parallel',
  'env',
  'sudo',
  'doas',
  'su',
  'runuser',
  'pkexec',
  'command',
  'builtin',
  'exec',
  'eval',
  'source',
  '.',
  'nice',
  'nohup',
  'timeout',
  'time',
  'watch',
  'stdbuf',
  'ionice',
  'setsid',
  'chroot',
  'nsenter',
  'unshare',
  'flock',
  'script',
  'strace',
  'ltrace',
  'gdb',
  'lldb',
  'valgrind',
  'uvx',
  'pipx',
  'ssh',
  'vim',
  'vi',
  'nvim',
  'emacs',
  'less',
  'more',
  'man',
  'git-shell',
  'tmux',
  'screen',
  'expect',
  'trap',
])
/** Versioned interpreter names: python3.12, node20, ruby3.3. */
const VERSIONED_INTERPRETER = /^(python|pypy|node|ruby|perl|php|lua|pip)[\d.]+$/
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'csh', 'tcsh'])

/** Caps on what is examined: words of one command, and shells inside shells (`sh -c "sh -c …"`). */
const MAX_WORDS = 64
const MAX_DEPTH = 4
/** Longer lines are not parsed: they ask, and only the exact line can be remembered. */
export const MAX_PARSED_COMMAND_CHARS = 16_000

/** The words of a line that is one simple command, or why it is not one. */
export type Simple = { words: string[] } | { reason: string }

/**
 * The scope of a command line for the permission policy. `parse` is the loaded bash parser; without it
 * (it failed to load) every line asks, and rejections match every word split at shell punctuation.
 */
export function commandScope(line: string, parse: ((text: string) => ShellNode) | null): CallScope {
  const text = line.trim()
  if (!parse || text.length > MAX_PARSED_COMMAND_CHARS) return unparsedScope(text)
  try {
    return parsedScope(text, parse)
  } catch {
    // A line nested deeper than the stack allows (`$($($(…)))`) is judged unparsed: it asks.
    return unparsedScope(text)
  }
}

/** Without a parse any word may be a program (`ls && ./deploy` runs deploy), and no grant applies. */
function unparsedScope(text: string): CallScope {
  const exact = `= ${text}`
  const words = text
    .split(/[\s;&|()<>`$'"]+/)
    .filter(Boolean)
    .slice(0, MAX_WORDS)
  return { allow: null, reject: exact, rejectedBy: [exact, ...words.map(baseName)] }
}

function parsedScope(text: string, parse: (text: string) => ShellNode): CallScope {
  const exact = `= ${text}`
  const root = parse(text)
  const rejectedBy = new Set<string>([exact])
  collectPrograms(root, parse, 0, rejectedBy)
  const simple = simpleCommand(root, text)
  if ('reason' in simple) return { allow: null, reject: exact, rejectedBy: [...rejectedBy] }
  const [program = '', ...args] = simple.words
  const base = baseName(program)
  const subcommand = args[0]
  const rejectScope =
    WITH_SUBCOMMAND.has(base) && subcommand && !subcommand.startsWith('-') ? `${base} ${subcommand}` : base
  // A command naming .git/ or .punie/ (`cp x .git/config`, `--output=.git/hooks/x`) may write there: no
  // grant covers it, as no grant covers a sensitive write of a file tool.
  const namesSensitive = args.some((a) => pathCandidates(a).some(isSensitivePath))
  const allow = namesSensitive ? null : grantScope(program, args, exact)
  return { allow, reject: rejectScope, rejectedBy: [...rejectedBy] }
}

/** What "allow always" on one simple command remembers: program (as written) and leading subcommand. */
function grantScope(program: string, args: readonly string[], exact: string): string {
  const base = baseName(program)
  if (RUNS_ARGUMENTS.has(base) || VERSIONED_INTERPRETER.test(base)) return exact
  if (!WITH_SUBCOMMAND.has(base)) return program
  const [subcommand, next] = args
  if (subcommand === undefined) return program
  // `git -c core.pager=sh log`: options before the subcommand can change what it does.
  if (subcommand.startsWith('-')) return exact
  if (base === 'npx' || (LAUNCHING_SUBCOMMANDS.has(subcommand) && !RUNS_SCRIPTS.has(base))) return exact
  if (subcommand === 'run' && next !== undefined) return `${program} run ${next}`
  return `${program} ${subcommand}`
}

/**
 * The words of the line when it is exactly one simple command: no chaining, pipes, substitution,
 * redirection, background, newline, subshell, here-doc, expansion or assignment; every word a literal.
 */
export function simpleCommand(root: ShellNode, text: string): Simple {
  if (/[\n\r]/.test(text)) return { reason: 'it spans lines' }
  if (root.hasError) return { reason: 'it does not parse' }
  const [command, ...rest] = root.children
  if (!command || rest.length > 0) return { reason: 'it is more than one command' }
  if (command.type !== 'command') return { reason: `it is a ${command.type.replaceAll('_', ' ')}` }
  const words: string[] = []
  for (const child of command.children) {
    if (child.type === 'command_name') {
      const name = child.children.length === 1 ? literal(child.children[0] as ShellNode) : null
      if (name === null || /[*?[\]{}~]/.test(name)) return { reason: 'its program is not a plain word' }
      words.push(name)
      continue
    }
    if (words.length === 0) return { reason: `it starts with a ${child.type.replaceAll('_', ' ')}` }
    const word = literal(child)
    if (word === null) return { reason: `it has a ${child.type.replaceAll('_', ' ')}` }
    words.push(word)
  }
  return words.length ? { words } : { reason: 'it names no program' }
}

/** The value of a word that the shell takes literally (no expansion of any kind), or null. */
function literal(node: ShellNode): string | null {
  switch (node.type) {
    case 'word':
      return /[$`]/.test(node.text) || expands(node.text) ? null : node.text.replace(/\\(.)/gs, '$1')
    case 'number':
      return node.text
    case 'raw_string':
      return node.text.slice(1, -1)
    case 'string': {
      const named = node.children.filter((c) => c.named)
      if (!named.every((c) => c.type === 'string_content')) return null
      if (/[$`]/.test(node.text.slice(1, -1).replace(/\\[$`\\"]/g, ''))) return null
      return node.text.slice(1, -1).replace(/\\([$`\\"])/g, '$1')
    }
    case 'concatenation': {
      // A brace list is split into words of its own (`.`, `{`, `git,x`, `}`): judged on the whole.
      if (expands(node.text.replace(/"[^"]*"|'[^']*'/g, '_'))) return null
      const parts = node.children.map(literal)
      return parts.every((p): p is string => p !== null) ? parts.join('') : null
    }
    default:
      return null
  }
}

/**
 * Whether the shell rewrites an unquoted word before the program sees it: a glob (`.gi?/hooks` is `.git/hooks`
 * once matched), a brace list (`.{git,x}`) or a leading tilde. The user did not see what it becomes.
 */
function expands(raw: string): boolean {
  const unescaped = raw.replace(/\\./gs, '_')
  return /[*?[]/.test(unescaped) || /\{[^}]*(,|\.\.)[^}]*\}/.test(unescaped) || /(^|[=:])~/.test(unescaped)
}

/**
 * The paths a command word may name: itself, the value of `--opt=VALUE`, and of a short option written
 * together with its value (`-o.git/config`).
 */
export function pathCandidates(word: string): string[] {
  const candidates = [word]
  const equals = word.indexOf('=')
  if (equals >= 0) candidates.push(word.slice(equals + 1))
  if (/^-[^-]./s.test(word)) candidates.push(word.slice(2))
  return candidates
}

/** Adds the rejection scopes of every command anywhere in the tree, also inside `sh -c '…'` and `eval`. */
function collectPrograms(
  node: ShellNode,
  parse: (text: string) => ShellNode,
  depth: number,
  into: Set<string>,
): void {
  if (node.type === 'command') {
    const words = node.children
      .filter(
        (c) =>
          c.type === 'command_name' ||
          (c.named && c.type !== 'variable_assignment' && !c.type.endsWith('redirect')),
      )
      .slice(0, MAX_WORDS)
      .map((c) => (c.type === 'command_name' ? c.children[0] : c))
      .map((c) => (c ? (literal(c) ?? c.text) : ''))
    for (const scope of programScopes(words)) into.add(scope)
    if (depth < MAX_DEPTH) {
      for (const code of codeArguments(words)) {
        if (code.length <= MAX_PARSED_COMMAND_CHARS) collectPrograms(parse(code), parse, depth + 1, into)
      }
    }
  }
  for (const child of node.children) collectPrograms(child, parse, depth, into)
}

/**
 * The scopes a command's words fall under: its program by base name (`./x` and `/abs/x` are `x`), with
 * each later word as a possible subcommand, and, behind wrappers such as sudo, env or xargs, every later
 * word as a possible program.
 */
function programScopes(words: readonly string[]): string[] {
  const scopes: string[] = []
  const add = (at: number) => {
    const base = baseName(words[at] ?? '')
    if (!base) return
    scopes.push(base)
    for (const word of words.slice(at + 1)) scopes.push(`${base} ${word}`)
  }
  add(0)
  if (RUNS_ARGUMENTS.has(baseName(words[0] ?? ''))) for (let i = 1; i < words.length; i++) add(i)
  return scopes
}

/** Code that a shell or eval will run from the arguments: `sh -c CODE`, `bash -lc CODE`, `eval WORDS`. */
function codeArguments(words: readonly string[]): string[] {
  const codes: string[] = []
  words.forEach((word, i) => {
    const base = baseName(word)
    if (base === 'eval') codes.push(words.slice(i + 1).join(' '))
    if (SHELLS.has(base)) {
      const flag = words.findIndex((w, j) => j > i && /^-[a-z]*c[a-z]*$/i.test(w))
      const code = flag > 0 ? words[flag + 1] : undefined
      if (code) codes.push(code)
    }
  })
  return codes
}

function baseName(program: string): string {
  return posix.basename(program).toLowerCase()
}
