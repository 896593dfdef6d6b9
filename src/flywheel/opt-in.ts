// Which projects the flywheel may read: `flywheel.projects` in the user's own config, written by
// `punie flywheel enable|disable`. A project's .punie/config.json cannot turn capture on (project-trust.ts
// treats the key as user-only), and the list is compared by real path.
import { readFileSync } from 'node:fs'
import { ConfigError, readConfigFile, realPathOf, withoutBom } from '../config/config-file.js'
import { writePrivateFile } from '../config/private-file.js'
import { projectRootOf } from '../session/project.js'

export function capturedProjects(userConfigPath: string): string[] {
  return readConfigFile(userConfigPath).flywheel?.projects ?? []
}

/** The project root a directory belongs to (its git root, or itself), by real path. */
export function projectOf(dir: string): string {
  return projectRootOf(realPathOf(dir))
}

/** Whether `root` is one of the opted-in projects. */
export function isCaptured(root: string, projects: readonly string[]): boolean {
  const real = realPathOf(root)
  return projects.some((p) => realPathOf(p) === real)
}

/** The spellings a store may hold for these roots: as written, and their real paths. */
export function storeSpellings(projects: readonly string[]): string[] {
  return [...new Set(projects.flatMap((p) => [p, realPathOf(p)]))]
}

/** Adds or removes a project; returns whether the list changed. Every other setting is kept as it is. */
export function setCaptured(userConfigPath: string, root: string, on: boolean): boolean {
  const projects = capturedProjects(userConfigPath)
  const others = projects.filter((p) => realPathOf(p) !== realPathOf(root))
  const next = on ? [...others, root] : others
  if (on ? others.length < projects.length : others.length === projects.length) return false
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(withoutBom(readFileSync(userConfigPath, 'utf8'))) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(userConfigPath, `cannot be read: ${(error as Error).message}`)
  }
  const { flywheel: _old, ...rest } = json
  writePrivateFile(
    userConfigPath,
    `${JSON.stringify(next.length ? { ...rest, flywheel: { projects: next } } : rest, null, 2)}\n`,
  )
  return true
}
