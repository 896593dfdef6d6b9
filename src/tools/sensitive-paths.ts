// Paths whose contents change how tools behave (git's config and hooks, .gitattributes drivers, Punie's own
// project config): a write to one always asks, whatever the mode or earlier grants, except in yolo.
import { isAbsolute, relative, sep } from 'node:path'
import type { Workspace } from '../workspace/workspace.js'

const SENSITIVE_NAMES = new Set(['.git', '.punie', '.gitattributes'])
/**
 * What every later session's model is told (knowledge/): the instructions files, and the skill folders outside
 * `.punie/`. A write there would outlive the turn that made it, so a prompt-injected turn must not make it unseen.
 */
const INSTRUCTION_FILES = new Set(['agents.md', 'punie.md', 'claude.md'])
const SKILL_PARENTS = new Set(['.agents', '.claude'])

/**
 * Characters some file systems ignore when they compare names (HFS+ drops zero-width ones, NTFS drops
 * trailing dots and spaces), so `.g\u200cit` or `.git.` may name `.git` there.
 */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu

function canonicalName(segment: string): string {
  const visible = segment.normalize('NFC').replace(IGNORABLE, '')
  return (visible.replace(/[. ]+$/, '') || visible).toLowerCase()
}

/**
 * Whether a path relative to a workspace root lies in `.git/`, `.punie/`, `.agents/skills/` or `.claude/skills/`,
 * or is a `.gitattributes` or an instructions file (AGENTS.md, PUNIE.md, CLAUDE.md), at any depth, after normalising `./`, `..`, case and ignorable characters. Pure: symlinks are resolved by the
 * caller (see sensitiveWrites).
 */
export function isSensitivePath(relPath: string): boolean {
  const segments: string[] = []
  for (const raw of relPath.split(/[/\\]+/)) {
    if (raw === '' || raw === '.') continue
    if (raw === '..') segments.pop()
    else segments.push(canonicalName(raw))
  }
  return (
    segments.some(
      (s, i) => SENSITIVE_NAMES.has(s) || (SKILL_PARENTS.has(s) && segments[i + 1] === 'skills'),
    ) || INSTRUCTION_FILES.has(segments.at(-1) ?? '')
  )
}

/**
 * The paths among `paths` that are sensitive as written or once the workspace has resolved them (symlinks
 * followed), judged relative to the workspace root that holds them. A path the workspace refuses is left
 * out: the write fails on its own.
 */
export async function sensitiveWrites(workspace: Workspace, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return []
  const roots = [...workspace.roots]
  const realRoots = await Promise.all(roots.map((r) => workspace.realPath(r).catch(() => r)))
  const relativeTo = (candidates: readonly string[], absolute: string) =>
    candidates
      .map((root) => relative(root, absolute))
      .filter((rel) => rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
  const found: string[] = []
  for (const path of paths) {
    const lexical = isAbsolute(path) ? relativeTo(roots, path) : [path]
    let real: string[] = []
    try {
      real = relativeTo(realRoots, await workspace.realPath(path))
    } catch {
      real = []
    }
    if ([...lexical, ...real].some(isSensitivePath)) found.push(path)
  }
  return found
}
