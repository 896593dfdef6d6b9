// Finds the skills: one folder per skill, holding a SKILL.md, in each source folder. Each read stays inside its
// source folder (a symlink that leads out of it is refused), and a project's sources inside the project.
import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { openInside, resolveRealInside } from '../workspace/paths.js'
import { mergeSkills, parseSkill, type SkillInfo, type SkillProblem, type SkillSource } from './skills.js'

/** A SKILL.md larger than this is not read (the spec suggests under 500 lines). */
export const MAX_SKILL_FILE_BYTES = 256 * 1024
/** Skills read from one source at most; a folder of thousands is not a skill library. */
export const MAX_SKILLS_PER_SOURCE = 200

/**
 * The sources, in precedence order. The user's own skills come first, so that a cloned repository cannot
 * replace a skill the user installed with one of the same name; then the project's, Punie's folder before the
 * shared `.agents/skills` and Claude Code's `.claude/skills`.
 */
export function skillSources(root: string, userSkills: string | undefined): SkillSource[] {
  return [
    ...(userSkills ? [{ dir: userSkills, label: '~/.punie/skills', origin: 'user' as const }] : []),
    { dir: join(root, '.punie', 'skills'), label: '.punie/skills', origin: 'project' },
    { dir: join(root, '.agents', 'skills'), label: '.agents/skills', origin: 'project' },
    { dir: join(root, '.claude', 'skills'), label: '.claude/skills', origin: 'project' },
  ]
}

export interface SkillCatalog {
  skills: SkillInfo[]
  shadowed: { skill: SkillInfo; by: SkillInfo }[]
  problems: SkillProblem[]
}

export const EMPTY_CATALOG: SkillCatalog = { skills: [], shadowed: [], problems: [] }

/** What decides whether the skills must be found again: each source's and each SKILL.md's size and mtime. */
export async function skillsSignature(sources: readonly SkillSource[]): Promise<string> {
  const parts = await Promise.all(
    sources.map(async (source) => {
      const dir = await stat(source.dir).catch(() => undefined)
      if (!dir?.isDirectory()) return '-'
      const names = await readdir(source.dir).catch(() => [] as string[])
      const files = await Promise.all(
        names.slice(0, MAX_SKILLS_PER_SOURCE).map((name) =>
          stat(join(source.dir, name, 'SKILL.md')).then(
            (s) => `${name}:${s.size}:${s.mtimeMs}`,
            () => '',
          ),
        ),
      )
      return `${dir.mtimeMs}[${files.join(',')}]`
    }),
  )
  return parts.join('|')
}

export async function loadSkills(sources: readonly SkillSource[], root: string): Promise<SkillCatalog> {
  const found: SkillInfo[] = []
  const problems: SkillProblem[] = []
  for (const source of sources) {
    const dir = await sourceDir(source, root, problems)
    if (!dir) continue
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    const folders = entries
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .sort()
    if (folders.length > MAX_SKILLS_PER_SOURCE)
      problems.push({
        file: dir,
        line: 0,
        message: `${folders.length} folders: only the first ${MAX_SKILLS_PER_SOURCE} were read`,
      })
    for (const name of folders.slice(0, MAX_SKILLS_PER_SOURCE)) {
      const file = join(dir, name, 'SKILL.md')
      const text = await readSkillFile(dir, file).catch((error: Error) => {
        problems.push({ file, line: 0, message: error.message })
        return undefined
      })
      if (text === undefined) continue
      const parsed = parseSkill(text, name)
      if (!parsed.ok) {
        problems.push({ file, line: parsed.line, message: parsed.message })
        continue
      }
      found.push({
        name: parsed.skill.name,
        description: parsed.skill.description,
        folder: join(dir, name),
        file,
        source,
      })
    }
  }
  return { ...mergeSkills(found), problems }
}

/** The source folder, when it exists; a project's must lie inside the project (symlinks followed). */
async function sourceDir(
  source: SkillSource,
  root: string,
  problems: SkillProblem[],
): Promise<string | undefined> {
  if (!(await stat(source.dir).catch(() => undefined))?.isDirectory()) return undefined
  if (source.origin === 'user') return source.dir
  try {
    await resolveRealInside([root], source.dir)
    return source.dir
  } catch (error) {
    problems.push({ file: source.dir, line: 0, message: `not read: ${(error as Error).message}` })
    return undefined
  }
}

/** A SKILL.md's text, read inside its source folder; a missing one is told apart from an unreadable one. */
export async function readSkillFile(sourceDir: string, file: string): Promise<string> {
  const { handle } = await openInside([sourceDir], file, 'read').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`no SKILL.md in ${basename(join(file, '..'))}/`)
    throw error
  })
  try {
    const { size } = await handle.stat()
    if (size > MAX_SKILL_FILE_BYTES)
      throw new Error(`SKILL.md is ${size} bytes, over the ${MAX_SKILL_FILE_BYTES} a skill may have`)
    return await handle.readFile({ encoding: 'utf8' })
  } finally {
    await handle.close()
  }
}
