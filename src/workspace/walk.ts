// Walks a directory tree the way git sees it: .git skipped, .gitignore rules (nested ones too) honoured.
import type { Dirent } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import ignore, { type Ignore } from 'ignore'

interface Rules {
  base: string
  matcher: Ignore
}

export async function* walkFiles(root: string, start: string, signal?: AbortSignal): AsyncIterable<string> {
  const inherited = await rulesAbove(root, start)
  yield* walk(start, inherited, signal)
}

async function* walk(dir: string, rules: Rules[], signal?: AbortSignal): AsyncIterable<string> {
  signal?.throwIfAborted()
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  const own = await rulesIn(dir)
  const active = own ? [...rules, own] : rules
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    if (entry.name === '.git') continue
    const path = join(dir, entry.name)
    const isDir = entry.isDirectory()
    if (ignored(active, path, isDir)) continue
    if (isDir) yield* walk(path, active, signal)
    else if (entry.isFile()) yield path
  }
}

function ignored(rules: Rules[], path: string, isDir: boolean): boolean {
  return rules.some((r) => {
    const rel = relative(r.base, path)
    return rel !== '' && !rel.startsWith('..') && r.matcher.ignores(isDir ? `${rel}/` : rel)
  })
}

async function rulesIn(dir: string): Promise<Rules | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8')
    return { base: dir, matcher: ignore().add(text) }
  } catch {
    return undefined
  }
}

/** The .gitignore files between the root and the start directory also apply. */
async function rulesAbove(root: string, start: string): Promise<Rules[]> {
  const rules: Rules[] = []
  const rel = relative(root, start)
  if (rel.startsWith('..')) return rules
  const parts = rel ? rel.split(/[\\/]/) : []
  let dir = root
  for (let i = 0; i < parts.length; i++) {
    const found = await rulesIn(dir)
    if (found) rules.push(found)
    dir = join(dir, parts[i] as string)
  }
  return rules
}
