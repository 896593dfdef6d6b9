// Checks for values the model chose that become words of a command line (pytest, ruff, pyright, git): such a
// value is a path, a ref or an expression, never an option. One place, so every tool refuses the same way.

import { isAbsolute } from 'node:path'

/** A value refused as a command-line word; its message tells the model what to send instead. */
export class ArgvError extends Error {
  override name = 'ArgvError'
}

const MAX_WORD = 1_000

/** Refuses a value that a program would read as an option (a leading `-`) or that cannot be one word. */
export function notAnOption(value: string, what: string): string {
  if (value.startsWith('-'))
    throw new ArgvError(
      `${what} "${clip(value)}" starts with "-" and would be read as an option; give a workspace path or name, not command-line options`,
    )
  if (/[\0\n\r]/.test(value)) throw new ArgvError(`${what} may not contain NUL or line breaks`)
  if (value.length > MAX_WORD) throw new ArgvError(`${what} is longer than ${MAX_WORD} characters`)
  return value
}

/** An absolute path for a program that takes no `--` (pyright): absolute, so never read as an option. */
export function absolutePath(value: string, what = 'path'): string {
  notAnOption(value, what)
  if (!isAbsolute(value)) throw new ArgvError(`${what} "${clip(value)}" must be absolute here`)
  return value
}

// A ref name as `git check-ref-format` allows it, stricter: no component starts with "." or "-", no "..",
// no "@{" except a reflog or upstream suffix, no control characters, spaces or ~^:?*[\ inside a name.
const REF_NAME = String.raw`(?:@|[\w\u0080-\uffff][\w\u0080-\uffff+=,%#./-]*)`
const REF_SUFFIX = String.raw`(?:[~^]\d*|@\{(?:-?\d+|[A-Za-z]+)\})*`
const REVISION = `(?:${REF_NAME}|(?=@\\{))${REF_SUFFIX}`
const REVISION_PATTERN = new RegExp(`^${REVISION}(?:\\.\\.\\.?${REVISION})?$`, 'u')

/** A revision (`main`, `HEAD~2`, `v1.0^`, `origin/main`, `a1b2c3`, `main..topic`), never an option. */
export function gitRevision(value: string, what = 'ref'): string {
  notAnOption(value, what)
  const names = value.split(/\.\.\.?/)
  const valid =
    names.length <= 2 &&
    REVISION_PATTERN.test(value) &&
    names.every((name) => {
      const bare = name.replace(/(?:[~^]\d*|@\{[^}]*\})+$/, '')
      return (
        bare === '@' ||
        (bare === '' && name.startsWith('@{')) ||
        (!bare.endsWith('/') &&
          !bare.endsWith('.') &&
          !bare.endsWith('.lock') &&
          !bare.includes('//') &&
          bare.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.startsWith('-')))
      )
    })
  if (!valid)
    throw new ArgvError(
      `${what} "${clip(value)}" is not a git revision; give a branch, tag or commit such as main, HEAD~2 or a1b2c3d, or a range such as main..topic`,
    )
  return value
}

/**
 * A pytest `-k` expression, checked against pytest's own grammar: names joined by `and`, `or`, `not` and
 * parentheses, a name being letters, digits and `_ : + - . [ ] \ /` (pytest's set) that does not start with "-".
 */
export function pytestKeywordExpression(value: string): string {
  notAnOption(value, 'the -k expression')
  const tokens = value.match(/\(|\)|[\p{L}\p{N}_:+\-.[\]\\/]+|\s+|./gu) ?? []
  const words = tokens.filter((t) => !/^\s+$/.test(t))
  let i = 0
  const fail = (why: string): never => {
    throw new ArgvError(
      `the -k expression "${clip(value)}" is not a pytest expression (${why}); use test names joined by and, or, not and parentheses, e.g. "discount and not slow"`,
    )
  }
  const expr = (): void => {
    andExpr()
    while (words[i] === 'or') {
      i++
      andExpr()
    }
  }
  const andExpr = (): void => {
    notExpr()
    while (words[i] === 'and') {
      i++
      notExpr()
    }
  }
  const notExpr = (): void => {
    const word = words[i]
    if (word === 'not') {
      i++
      notExpr()
    } else if (word === '(') {
      i++
      expr()
      if (words[i] !== ')') fail('a "(" is not closed')
      i++
    } else if (word === undefined) {
      fail('it ends where a name was expected')
    } else if (word === 'and' || word === 'or' || word === ')') {
      fail(`"${word}" where a name was expected`)
    } else if (!/^[\p{L}\p{N}_:+\-.[\]\\/]+$/u.test(word)) {
      fail(`"${word}" is not allowed`)
    } else if (word.startsWith('-')) {
      fail(`the name "${word}" starts with "-"`)
    } else {
      i++
    }
  }
  if (words.length === 0) fail('it is empty')
  expr()
  if (i < words.length) fail(`unexpected "${words[i]}"`)
  return value
}

/**
 * A pytest path or node id, never an option: pytest also reads arguments from a file named after a leading
 * "@" (`@args.txt` holding `--basetemp=/outside`), and does so even after `--`.
 */
export function pytestTarget(value: string): string {
  notAnOption(value, 'the test path')
  if (value.startsWith('@'))
    throw new ArgvError(
      `the test path "${clip(value)}" starts with "@", and pytest reads arguments from the file it names; give a test file, directory or node id`,
    )
  return value
}

/**
 * A pytest target as the model gives it: a workspace path, or a node id (`tests/test_a.py::TestA::test_b[1-2]`).
 * The path part is what the workspace must check; the rest is pytest's to match.
 */
export function splitNodeId(target: string): { path: string; rest: string } {
  pytestTarget(target)
  const at = target.indexOf('::')
  return at === -1 ? { path: target, rest: '' } : { path: target.slice(0, at), rest: target.slice(at) }
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value
}
