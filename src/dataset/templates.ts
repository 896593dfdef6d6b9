// The task templates behind `punie dataset generate`: for each tool, user prompts in several wordings, the
// arguments taken from a real workspace, and a summariser that words the final answer from the tool's real
// result (counts, names, lines), never from what the template expected. Pure: running the tools is the caller's.

import { seededRandom } from './random.js'
import { pythonLiteral } from './templates-code.js'
import type { PythonSymbol, WorkspaceFacts } from './templates-workspace.js'

/** A seeded source of choices, so that a seed gives the same dataset every time. */
export interface Rng {
  /** In [0, 1). */
  next(): number
  int(n: number): number
  pick<T>(items: readonly T[]): T
  shuffle<T>(items: readonly T[]): T[]
}

/** Choices among templates, from the seeded generator split and sample use. */
export function seededRng(seed: number): Rng {
  const next = seededRandom(seed)
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    pick: (items) => items[int(items.length)] as (typeof items)[number],
    shuffle: (items) => {
      const out = [...items]
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1)
        ;[out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]]
      }
      return out
    },
  }
}

/** One task: what the user asks, and the one tool call that answers it. */
export interface ToolTask {
  prompt: string
  args: Record<string, unknown>
  /** What the prompt named (a symbol), for the summariser. */
  vars?: Record<string, string>
}

export interface TaskTemplate {
  /** Stable: part of every example's metadata id. */
  id: string
  tool: string
  /**
   * Runs against a temporary copy of the workspace, never the user's files: the tool writes, or starts a
   * process (pytest, a type checker, a language server) that may leave caches behind.
   */
  copy: boolean
  /** A task from the workspace; undefined when the workspace has nothing it could ask about. */
  make(facts: WorkspaceFacts, rng: Rng): ToolTask | undefined
  /**
   * A second step: its call made from the first call's result (as JSON calls, or both in one snippet). Only for
   * templates that run in the workspace, since each call in a copy gets a fresh copy.
   */
  next?: TaskStep
  /** The final answer, from the tool's typed result (for a two-step task, both results in order). */
  summarise(output: unknown, args: Record<string, unknown>, vars: Record<string, string>): string
}

export interface TaskStep {
  tool: string
  /** The second call's arguments from the first call's result; undefined when there is nothing to do next. */
  args(first: unknown): Record<string, unknown> | undefined
  /** Both steps as one Code Mode snippet, whose value is the list of both results. */
  code(args: Record<string, unknown>): string
}

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? String(vars[key]) : whole))
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** `a, b and c`, with `and N more` past `max`. */
export function listed(items: readonly string[], max = 8): string {
  if (items.length === 0) return 'none'
  const shown = items.slice(0, max)
  const rest = items.length - shown.length
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`
  return shown.length === 1 ? (shown[0] as string) : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
}

const code = (text: string) => `\`${text.replaceAll('`', "'")}\``

/** The Python files that are neither tests nor pytest's conftest.py; all of them when that leaves none. */
const sourceFiles = (f: WorkspaceFacts) => {
  const sources = f.pythonFiles.filter((p) => !f.testFiles.includes(p) && !/(^|\/)conftest\.py$/.test(p))
  return sources.length ? sources : f.pythonFiles
}

/** Symbols worth asking about: not dunder methods, not tests, long enough to be unambiguous in a search. */
const namedSymbols = (f: WorkspaceFacts, kind?: PythonSymbol['kind']) =>
  f.symbols.filter(
    (s) =>
      (!kind || s.kind === kind) &&
      !s.name.startsWith('__') &&
      !s.name.startsWith('test') &&
      !f.testFiles.includes(s.file) &&
      s.name.length >= 4,
  )

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const definitionPattern = (name: string) => `^\\s*(async\\s+)?(def|class)\\s+${escapeRegex(name)}\\b`

/** A grep for where a symbol of the workspace is defined, asked in one of `prompts`. */
function definitionTask(f: WorkspaceFacts, rng: Rng, prompts: readonly string[]): ToolTask | undefined {
  const symbols = namedSymbols(f)
  if (!symbols.length) return undefined
  const s = rng.pick(symbols)
  const prompt = rng.pick(prompts)
  return {
    prompt: fill(prompt, { symbol: s.name }),
    args: { pattern: definitionPattern(s.name) },
    vars: { symbol: s.name },
  }
}

/** A definition's code as read_file shows it: the first lines from its `def` or `class` line. */
const DEFINITION_LINES = 15

/** Definitions named in a file's text: what a reader of read_file's result could state. */
function definitionsIn(content: string): { classes: string[]; functions: string[] } {
  const classes: string[] = []
  const functions: string[] = []
  for (const m of content.matchAll(/^[ \t]*(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_]\w*)/gm))
    (m[1] === 'class' ? classes : functions).push(m[2] as string)
  return { classes, functions }
}

interface ReadOut {
  path: string
  content: string
  startLine: number
  endLine: number
  totalLines: number
  truncated: boolean
}
interface GrepOut {
  matches: { path: string; line: number; text: string }[]
  filesSearched: number
  truncated: boolean
}
interface GlobOut {
  paths: string[]
  truncated: boolean
}
interface ListOut {
  path: string
  entries: { name: string; type: string; size?: number }[]
  truncated: boolean
}
interface PatternOut {
  matches: { file: string; line: number; snippet: string }[]
  filesSearched: number
  truncated: boolean
}
interface TestsOut {
  passed: number
  failed: number
  errors: number
  skipped: number
  tests: { name: string; outcome: string; message: string | null }[]
}
interface TypecheckOut {
  checker: string
  files_checked: number
  error_count: number
  warning_count: number
  errors: { file: string; line: number; message: string }[]
}
interface SymbolsOut {
  symbols: { name: string; kind: string; line: number }[]
}

function grepCounts(out: GrepOut): string {
  const perFile = new Map<string, number>()
  for (const m of out.matches) perFile.set(m.path, (perFile.get(m.path) ?? 0) + 1)
  return listed([...perFile].map(([path, n]) => `${path} (${n})`))
}

function testSummary(out: TestsOut, where: string): string {
  const counts = `${out.passed} passed, ${out.failed} failed, ${out.errors} errors, ${out.skipped} skipped`
  const bad = out.tests.filter((t) => t.outcome === 'failed' || t.outcome === 'error')
  if (out.passed + out.failed + out.errors + out.skipped === 0) return `pytest collected no tests ${where}.`
  if (bad.length === 0) return `All tests ${where} pass: ${counts}.`
  return `Tests ${where}: ${counts}. Failing: ${listed(
    bad.map((t) => `${t.name}${t.message ? ` (${t.message.split('\n')[0]})` : ''}`),
    5,
  )}.`
}

const NEW_FILES: readonly { name: string; what: string; content: string }[] = [
  {
    name: 'greetings.py',
    what: 'a function greet(name) that returns a greeting',
    content: 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n',
  },
  {
    name: 'constants.py',
    what: 'a VERSION constant set to "0.1.0"',
    content: 'VERSION = "0.1.0"\n',
  },
  {
    name: 'clamp.py',
    what: 'a function clamp(value, low, high)',
    content:
      'def clamp(value: float, low: float, high: float) -> float:\n    """value, kept within low and high."""\n    return max(low, min(high, value))\n',
  },
]

export const TASK_TEMPLATES: readonly TaskTemplate[] = [
  {
    id: 'read-file',
    tool: 'read_file',
    copy: false,
    make: (f, rng) => {
      const files = sourceFiles(f)
      if (!files.length) return undefined
      const path = rng.pick(files)
      const prompt = rng.pick([
        'Show me {path}.',
        "What's in {path}?",
        'Read {path} and tell me what it defines.',
        'Open {path}.',
        'What does {path} contain?',
      ])
      return { prompt: fill(prompt, { path }), args: { path } }
    },
    summarise: (output) => {
      const out = output as ReadOut
      const { classes, functions } = definitionsIn(out.content)
      const defs = [
        ...(classes.length ? [`the ${classes.length === 1 ? 'class' : 'classes'} ${listed(classes)}`] : []),
        ...(functions.length
          ? [`the ${functions.length === 1 ? 'function' : 'functions'} ${listed(functions)}`]
          : []),
      ]
      return [
        `${out.path} has ${plural(out.totalLines, 'line')}.`,
        defs.length ? `It defines ${defs.join(' and ')}.` : 'It defines no functions or classes.',
        ...(out.truncated ? [`I read lines ${out.startLine}-${out.endLine}; there is more.`] : []),
      ].join(' ')
    },
  },
  {
    id: 'read-file-range',
    tool: 'read_file',
    copy: false,
    make: (f, rng) => {
      const symbols = namedSymbols(f)
      if (!symbols.length) return undefined
      const s = rng.pick(symbols)
      const limit = 5 + rng.int(11)
      const vars = { path: s.file, line: s.line, end: s.line + limit - 1, limit }
      const prompt = rng.pick([
        'Show me lines {line} to {end} of {path}.',
        'Read {limit} lines of {path} from line {line}.',
      ])
      return { prompt: fill(prompt, vars), args: { path: s.file, line: s.line, limit } }
    },
    summarise: (output) => {
      const out = output as ReadOut
      const first = out.content.split('\n').find((l) => l.trim())
      return `Lines ${out.startLine}-${out.endLine} of ${out.path} (${out.totalLines} in all)${first ? ` start with ${code(first.trim())}` : ' are blank'}.`
    },
  },
  {
    id: 'grep-definition',
    tool: 'grep',
    copy: false,
    make: (f, rng) =>
      definitionTask(f, rng, [
        'Where is {symbol} defined?',
        'Find the definition of {symbol}.',
        'In which file is {symbol} defined?',
      ]),
    summarise: (output, _args, vars) => {
      const out = output as GrepOut
      const name = vars.symbol ?? 'it'
      const [first, ...rest] = out.matches
      if (!first) return `I found no definition of ${name} in ${plural(out.filesSearched, 'file')}.`
      return [
        `${name} is defined in ${first.path} at line ${first.line}: ${code(first.text.trim())}.`,
        ...(rest.length
          ? [
              `There ${rest.length === 1 ? 'is' : 'are'} ${plural(rest.length, 'more definition')}: ${listed(rest.map((m) => `${m.path}:${m.line}`))}.`,
            ]
          : []),
      ].join(' ')
    },
  },
  {
    id: 'definition-code',
    tool: 'grep',
    copy: false,
    make: (f, rng) =>
      definitionTask(f, rng, [
        'Find where {symbol} is defined and show me its code.',
        'Show me the code of {symbol}.',
        'How is {symbol} implemented?',
      ]),
    next: {
      tool: 'read_file',
      args: (first) => {
        const hit = (first as GrepOut).matches[0]
        return hit ? { path: hit.path, line: hit.line, limit: DEFINITION_LINES } : undefined
      },
      code: (args) =>
        [
          `found = grep(pattern=${pythonLiteral(String(args.pattern))})`,
          'hit = found["matches"][0]',
          `code = read_file(path=hit["path"], line=hit["line"], limit=${DEFINITION_LINES})`,
          '[found, code]',
        ].join('\n'),
    },
    summarise: (output, _args, vars) => {
      const [found, read] = output as [GrepOut, ReadOut | undefined]
      const name = vars.symbol ?? 'it'
      const hit = found.matches[0]
      if (!hit || !read) return `I found no definition of ${name} in ${plural(found.filesSearched, 'file')}.`
      const body = read.content.split('\n').filter((l) => l.trim() && !l.startsWith('[truncated'))
      const last = body.at(-1)?.trim()
      return `${name} is defined in ${hit.path} at line ${hit.line}: ${code(hit.text.trim())}. I read lines ${read.startLine}-${read.endLine}: ${plural(body.length, 'non-blank line')}${last ? `, the last ${code(last)}` : ''}.`
    },
  },
  {
    id: 'grep-usages',
    tool: 'grep',
    copy: false,
    make: (f, rng) => {
      const symbols = namedSymbols(f)
      if (!symbols.length) return undefined
      const s = rng.pick(symbols)
      const prompt = rng.pick([
        'Where is {symbol} used?',
        'Find every mention of {symbol}.',
        'Which files mention {symbol}?',
      ])
      return {
        prompt: fill(prompt, { symbol: s.name }),
        args: { pattern: `\\b${escapeRegex(s.name)}\\b` },
        vars: { symbol: s.name },
      }
    },
    summarise: (output, _args, vars) => {
      const out = output as GrepOut
      const name = vars.symbol ?? 'it'
      if (!out.matches.length) return `Nothing mentions ${name} in ${plural(out.filesSearched, 'file')}.`
      const files = new Set(out.matches.map((m) => m.path)).size
      return `${plural(out.matches.length, 'line')} in ${plural(files, 'file')} ${out.matches.length === 1 ? 'mentions' : 'mention'} ${name}${out.truncated ? ' (the search stopped at its cap)' : ''}: ${grepCounts(out)}.`
    },
  },
  {
    id: 'glob-python',
    tool: 'glob',
    copy: false,
    make: (f, rng) => {
      if (!f.pythonFiles.length) return undefined
      const tests = f.testFiles.length > 0 && rng.int(2) === 0
      const prompt = tests
        ? rng.pick(['Which test files are there?', 'Find the test files.', 'List the pytest files.'])
        : rng.pick(['List the Python files in the project.', 'Which Python files are there?'])
      return { prompt, args: { pattern: tests ? '**/test_*.py' : '**/*.py' } }
    },
    summarise: (output, args) => {
      const out = output as GlobOut
      if (!out.paths.length) return `No files match ${args.pattern}.`
      return `${plural(out.paths.length, 'file')} match ${args.pattern}${out.truncated ? ' (cut at the cap)' : ''}: ${listed(out.paths, 10)}.`
    },
  },
  {
    id: 'list-dir',
    tool: 'list_dir',
    copy: false,
    make: (f, rng) => {
      if (!f.dirs.length) return undefined
      const dir = rng.pick(f.dirs)
      const label = dir === '.' ? 'the project root' : `the ${dir} directory`
      const prompt = rng.pick([
        "What's in {label}?",
        'List the contents of {label}.',
        'Show me the files in {label}.',
      ])
      return { prompt: fill(prompt, { label }), args: dir === '.' ? {} : { path: dir } }
    },
    summarise: (output) => {
      const out = output as ListOut
      const label = out.path === '.' || out.path === '' ? 'The project root' : out.path
      if (!out.entries.length) return `${label} is empty.`
      const dirs = out.entries.filter((e) => e.type === 'directory').map((e) => `${e.name}/`)
      const files = out.entries.filter((e) => e.type !== 'directory').map((e) => e.name)
      return [
        `${label} has ${plural(out.entries.length, 'entry', 'entries')}.`,
        ...(dirs.length ? [`Directories: ${listed(dirs)}.`] : []),
        ...(files.length ? [`Files: ${listed(files)}.`] : []),
      ].join(' ')
    },
  },
  {
    id: 'find-function',
    tool: 'find_pattern',
    copy: false,
    make: (f, rng) => {
      const functions = namedSymbols(f, 'function')
      if (!functions.length) return undefined
      const s = rng.pick(functions)
      const prompt = rng.pick([
        'Find the function {symbol}.',
        'Where is the function {symbol}? Skip comments and strings.',
        'Show me where {symbol} is defined as a function.',
      ])
      return { prompt: fill(prompt, { symbol: s.name }), args: { pattern: 'function', name: s.name } }
    },
    summarise: (output, args) => {
      const out = output as PatternOut
      if (!out.matches.length)
        return `No function named ${args.name} in ${plural(out.filesSearched, 'Python file')}.`
      return `${plural(out.matches.length, 'function')} named ${args.name}: ${listed(out.matches.map((m) => `${m.file}:${m.line} (${code(m.snippet)})`))}.`
    },
  },
  {
    id: 'find-classes',
    tool: 'find_pattern',
    copy: false,
    make: (f, rng) => {
      if (!f.symbols.some((s) => s.kind === 'class')) return undefined
      const prompt = rng.pick(['Which classes does the project define?', 'List every class in the code.'])
      return { prompt, args: { pattern: 'class' } }
    },
    summarise: (output) => {
      const out = output as PatternOut
      if (!out.matches.length) return `No classes in ${plural(out.filesSearched, 'Python file')}.`
      const names = out.matches.map(
        (m) => `${/class\s+(\w+)/.exec(m.snippet)?.[1] ?? m.snippet} (${m.file}:${m.line})`,
      )
      return `${plural(out.matches.length, 'class', 'classes')} in ${plural(out.filesSearched, 'Python file')}: ${listed(names, 12)}.`
    },
  },
  {
    id: 'edit-rename',
    tool: 'edit_file',
    copy: true,
    make: (f, rng) => {
      const symbols = namedSymbols(f)
      if (!symbols.length) return undefined
      const s = rng.pick(symbols)
      const renamed = s.kind === 'class' ? `Legacy${s.name}` : `${s.name}_v2`
      const prompt = rng.pick([
        'Rename {symbol} to {renamed} in {path}.',
        'In {path}, change every {symbol} to {renamed}.',
      ])
      return {
        prompt: fill(prompt, { symbol: s.name, renamed, path: s.file }),
        args: { path: s.file, old: s.name, new: renamed, replace_all: true },
      }
    },
    summarise: (output, args) => {
      const out = output as { path: string; replacements: number }
      return `Renamed ${args.old} to ${args.new} in ${out.path}: ${plural(out.replacements, 'replacement')}. Other files that use ${args.old} are unchanged.`
    },
  },
  {
    id: 'write-new-file',
    tool: 'write_file',
    copy: true,
    make: (f, rng) => {
      const dirs = f.dirs.filter((d) => !/(^|\/)tests?$/.test(d))
      const file = rng.pick(NEW_FILES)
      const dir = dirs.length ? rng.pick(dirs) : '.'
      const path = dir === '.' ? file.name : `${dir}/${file.name}`
      if (f.files.includes(path)) return undefined
      const prompt = rng.pick(['Create {path} with {what}.', 'Add a new file {path} containing {what}.'])
      return { prompt: fill(prompt, { path, what: file.what }), args: { path, content: file.content } }
    },
    summarise: (output) => {
      const out = output as { path: string; created: boolean; bytes: number }
      return `${out.created ? 'Created' : 'Overwrote'} ${out.path} (${plural(out.bytes, 'byte')}).`
    },
  },
  {
    id: 'run-tests-file',
    tool: 'run_tests',
    copy: true,
    make: (f, rng) => {
      if (!f.testFiles.length) return undefined
      const path = rng.pick(f.testFiles)
      const prompt = rng.pick([
        'Run the tests in {path}.',
        'Do the tests in {path} pass?',
        'Run {path} with pytest.',
      ])
      return { prompt: fill(prompt, { path }), args: { path } }
    },
    summarise: (output, args) => testSummary(output as TestsOut, `in ${args.path}`),
  },
  {
    id: 'run-tests-all',
    tool: 'run_tests',
    copy: true,
    make: (f, rng) =>
      f.testFiles.length
        ? { prompt: rng.pick(['Run the test suite.', 'Run all the tests.', 'Do the tests pass?']), args: {} }
        : undefined,
    summarise: (output) => testSummary(output as TestsOut, 'in the project'),
  },
  {
    id: 'run-tests-k',
    tool: 'run_tests',
    copy: true,
    make: (f, rng) => {
      const tests = f.symbols.filter(
        (s) => s.kind === 'function' && s.name.startsWith('test_') && f.testFiles.includes(s.file),
      )
      if (!tests.length) return undefined
      const t = rng.pick(tests)
      const prompt = rng.pick(['Run the test {name}.', 'Run only {name}.'])
      return { prompt: fill(prompt, { name: t.name }), args: { k: t.name } }
    },
    summarise: (output, args) => testSummary(output as TestsOut, `matching ${args.k}`),
  },
  {
    id: 'typecheck-file',
    tool: 'typecheck',
    copy: true,
    make: (f, rng) => {
      const files = sourceFiles(f)
      if (!files.length) return undefined
      const path = rng.pick(files)
      const prompt = rng.pick(['Type-check {path}.', 'Are there type errors in {path}?'])
      return { prompt: fill(prompt, { path }), args: { path } }
    },
    summarise: (output, args) => {
      const out = output as TypecheckOut
      const head = `${out.checker} found ${plural(out.error_count, 'error')} and ${plural(out.warning_count, 'warning')} in ${args.path}`
      if (!out.errors.length) return `${head}.`
      return `${head}: ${listed(
        out.errors.map((e) => `line ${e.line}: ${e.message.split('\n')[0]}`),
        3,
      )}.`
    },
  },
  {
    id: 'document-symbols',
    tool: 'document_symbols',
    copy: true,
    make: (f, rng) => {
      const files = sourceFiles(f)
      if (!files.length) return undefined
      const path = rng.pick(files)
      const prompt = rng.pick([
        'List the symbols in {path}.',
        'What does {path} define, by the language server?',
      ])
      return { prompt: fill(prompt, { path }), args: { path } }
    },
    summarise: (output, args) => {
      const out = output as SymbolsOut
      if (!out.symbols.length) return `${args.path} defines no symbols.`
      return `${args.path} defines ${plural(out.symbols.length, 'symbol')}: ${listed(out.symbols.map((s) => `${s.kind} ${s.name} (line ${s.line})`))}.`
    },
  },
]
