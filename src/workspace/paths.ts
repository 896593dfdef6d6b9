// Confines paths to the workspace root: lexically first, then by real path so symlinks cannot escape.
import { realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { WorkspaceBoundaryError } from './workspace.js'

/** Resolves `path` against `root` and refuses anything that lands outside it. Lexical only. */
export function resolveInside(root: string, path: string): string {
  if (path.includes('\0')) throw new WorkspaceBoundaryError(path, root, 'contains a NUL byte')
  const absolute = resolve(root, path)
  if (!isWithin(root, absolute)) throw new WorkspaceBoundaryError(path, root)
  return absolute
}

/** Like resolveInside, and also follows symlinks of the path (or of its nearest existing parent). */
export async function resolveRealInside(root: string, path: string): Promise<string> {
  const absolute = resolveInside(root, path)
  const realRoot = await realpath(root)
  const real = await realpathOfNearest(absolute)
  if (!isWithin(realRoot, real))
    throw new WorkspaceBoundaryError(path, root, 'leads outside the workspace through a symlink')
  return absolute
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = relative(resolve(root), resolve(candidate))
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

async function realpathOfNearest(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const parent = resolve(path, '..')
    if (parent === path) return path
    const realParent = await realpathOfNearest(parent)
    return resolve(realParent, relative(parent, path))
  }
}
