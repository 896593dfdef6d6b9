// Confines paths to the workspace roots: lexically first, then by real path so that symlinks cannot escape,
// and once more after opening so that a symlink swapped in after the check is caught.
import { constants, type Stats } from 'node:fs'
import { type FileHandle, open, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { WorkspaceBoundaryError } from './workspace.js'

/** Control characters are never part of a real project path; a backslash is a separator on Windows only. */
function hasOddCharacter(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i)
    if (code < 0x20 || code === 0x7f || (code === 0x5c && process.platform !== 'win32')) return true
  }
  return false
}

/** Resolves `path` against the first root; absolute paths must lie in one of the roots. Lexical only. */
export function resolveInside(roots: string | readonly string[], path: string): string {
  const all = typeof roots === 'string' ? [roots] : roots
  const root = all[0] as string
  if (typeof path !== 'string' || path.length === 0)
    throw new WorkspaceBoundaryError(String(path), root, 'is empty')
  if (path.includes('\0')) throw new WorkspaceBoundaryError(path, root, 'contains a NUL byte')
  if (hasOddCharacter(path))
    throw new WorkspaceBoundaryError(path, root, 'contains a control character or backslash')
  const absolute = resolve(root, path)
  if (!all.some((r) => isWithin(r, absolute))) throw new WorkspaceBoundaryError(path, root)
  return absolute
}

/** Like resolveInside, and also follows symlinks of the path (or of its nearest existing parent). */
export async function resolveRealInside(roots: string | readonly string[], path: string): Promise<string> {
  const all = typeof roots === 'string' ? [roots] : roots
  const absolute = resolveInside(all, path)
  const real = await realpathOfNearest(absolute)
  const realRoots = await Promise.all(all.map((r) => realpath(r).catch(() => r)))
  if (!realRoots.some((r) => isWithin(r, real))) {
    throw new WorkspaceBoundaryError(path, all[0] as string, 'leads outside the workspace through a symlink')
  }
  return absolute
}

/**
 * Opens a path for reading or writing, then checks that the file actually opened is the one inside the
 * roots: its real path must be inside and have the same device and inode as the open handle.
 */
export async function openInside(
  roots: readonly string[],
  path: string,
  mode: 'read' | 'write',
): Promise<{ handle: FileHandle; absolute: string; existed: boolean }> {
  const absolute = await resolveRealInside(roots, path)
  const existed = await stat(absolute).then(
    () => true,
    () => false,
  )
  const flags = mode === 'read' ? constants.O_RDONLY : constants.O_WRONLY | constants.O_CREAT
  const handle = await open(absolute, flags, 0o644)
  try {
    const opened = await handle.stat()
    await resolveRealInside(roots, path)
    const now = await stat(await realpath(absolute))
    if (!sameFile(opened, now))
      throw new WorkspaceBoundaryError(path, roots[0] as string, 'changed while it was opened')
    return { handle, absolute, existed }
  } catch (error) {
    await handle.close()
    throw error
  }
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = relative(resolve(root), resolve(candidate))
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino
}

async function realpathOfNearest(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // ENOTDIR: a part of the path is a file, so the rest cannot exist yet either.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error
    const parent = resolve(path, '..')
    if (parent === path) return path
    const realParent = await realpathOfNearest(parent)
    return resolve(realParent, relative(parent, path))
  }
}
