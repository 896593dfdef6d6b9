// Where a session's rules file is, if it has one: cheap enough to ask on every turn and after every edit, and
// light to import (the rules engine, with its YAML parser, loads only where a rules file exists).
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const RULES_FILE = join('.punie', 'rules.yaml')

/** The directories whose rules file governs a session: its cwd first, then its project root. */
export function rulesDirs(cwd: string, root: string): string[] {
  return cwd === root ? [cwd] : [cwd, root]
}

/** The first of `dirs` holding a rules file. */
export function findRulesFile(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const file = join(dir, RULES_FILE)
    if (existsSync(file)) return file
  }
  return undefined
}
