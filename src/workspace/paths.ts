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

/** Longer paths than Linux's PATH_MAX are never real; refusing them early keeps every later step cheap. */
export const MAX_PATH_CHARS = 4096

/** Resolves `path` against the first root; absolute paths must lie in one of the roots. Lexical only. */
export function resolveInside(roots: string | readonly string[], path: string): string {
  const all = typeof roots === 'string' ? [roots] : roots
  const root = all[0] as string
  if (typeof path !== 'string' || path.length === 0)
    throw new WorkspaceBoundaryError(String(path), root, 'is empty')
  if (path.length > MAX_PATH_CHARS)
    throw new WorkspaceBoundaryError(
      `${path.slice(0, 80)}…`,
      root,
      `is ${path.length} characters long, over the ${MAX_PATH_CHARS} a path may have`,
    )
  if (path.includes('\0')) throw new WorkspaceBoundaryError(path, root, 'contains a NUL byte')
  if (hasOddCharacter(path))
    throw new WorkspaceBoundaryError(path, root, 'contains a control character or backslash')
  const absolute = resolve(root, path)
  if (!all.some((r) => isWithin(r, absolute))) throw new WorkspaceBoundaryError(path, root)
  return absolute
}

/** Like resolveInside, and also follows symlinks of the path (or of its nearest existing parent). */
export async function resolveRealInside(roots: string | readonly string[], path: string): Promise<string> {
  return (await realInside(typeof roots === 'string' ? [roots] : roots, path)).absolute
}

/** The real path of `path` (symlinks followed; for a new file, its nearest existing parent's), inside the roots. */
export async function realPathInside(roots: readonly string[], path: string): Promise<string> {
  return (await realInside(roots, path)).real
}

/** The lexical and the real path of `path`, after checking that the real one is inside the roots. */
async function realInside(
  roots: readonly string[],
  path: string,
): Promise<{ absolute: string; real: string }> {
  const absolute = resolveInside(roots, path)
  const real = await realpathOfNearest(absolute)
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)))
  if (!realRoots.some((r) => isWithin(r, real))) {
    throw new WorkspaceBoundaryError(
      path,
      roots[0] as string,
      'leads outside the workspace through a symlink',
    )
  }
  return { absolute, real }
}

/**
 * Opens a path for reading or writing so that a symlink swapped in after the check cannot redirect it: the
 * checked real path is opened without following a final symlink, and afterwards the path must still lead,
 * inside the roots, to the very file (device and inode) that was opened.
 */
export async function openInside(
  roots: readonly string[],
  path: string,
  mode: 'read' | 'write',
): Promise<{ handle: FileHandle; absolute: string }> {
  const { absolute, real } = await realInside(roots, path)
  const access = mode === 'read' ? constants.O_RDONLY : constants.O_WRONLY | constants.O_CREAT
  let handle: FileHandle
  try {
    handle = await open(real, access | constants.O_NOFOLLOW, 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw changed(path, roots)
    throw error
  }
  try {
    const opened = await handle.stat()
    const after = await realInside(roots, path)
    if (!sameFile(opened, await stat(after.real))) throw changed(path, roots)
    return { handle, absolute }
  } catch (error) {
    await handle.close()
    throw error
  }
}

function changed(path: string, roots: readonly string[]) {
  return new WorkspaceBoundaryError(path, roots[0] as string, 'changed while it was opened')
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
