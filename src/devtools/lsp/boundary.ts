// Where a path in a language server's answer lies: inside the workspace, in the Python library an IDE shows
// (the interpreter's standard library and installed packages, pyright's bundled typeshed), or elsewhere. A
// server follows `extraPaths` and symlinked folders out of the workspace; what it finds there must not reach
// the model beyond a location, just as read_file would refuse it.
import { execFile } from 'node:child_process'
import { readFile, realpath } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { isWithin } from '../../workspace/paths.js'

export type Whereabouts = 'inside' | 'library' | 'outside'

const PROBE_TIMEOUT_MS = 10_000

// -I: isolated, so neither the working directory nor PYTHON* variables can put code of the project's on the path.
const PROBE = [
  'import json, site, sys, sysconfig',
  'p = sysconfig.get_paths()',
  'dirs = [p.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]',
  'dirs += list(getattr(site, "getsitepackages", lambda: [])())',
  'dirs.append(site.getusersitepackages())',
  'print(json.dumps([d for d in dirs if d]))',
].join('\n')

function pythonDirs(program: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(
      program,
      ['-I', '-c', PROBE],
      { cwd: tmpdir(), timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        if (error) return resolve([])
        try {
          const dirs = JSON.parse(stdout) as unknown
          resolve(Array.isArray(dirs) ? dirs.filter((d): d is string => typeof d === 'string') : [])
        } catch {
          resolve([])
        }
      },
    )
  })
}

/** pyright's bundled stubs, which its answers about the standard library point into. */
function bundledTypeshed(): string[] {
  try {
    return [join(dirname(createRequire(import.meta.url).resolve('pyright/package.json')), 'dist')]
  } catch {
    return []
  }
}

/**
 * The directories whose files a result may show although they are outside the workspace: the standard library
 * and site-packages of the interpreter on PATH (asked once), and pyright's typeshed. Real paths.
 */
export async function libraryRoots(): Promise<string[]> {
  let dirs = await pythonDirs('python3')
  if (dirs.length === 0) dirs = await pythonDirs('python')
  const all = [...dirs, ...bundledTypeshed()]
  const real = await Promise.all(all.map((d) => realpath(d).catch(() => undefined)))
  return [...new Set(real.filter((d): d is string => d !== undefined))]
}

/**
 * A path outside the workspace is library when its real path lies under one of the (real) library roots; the
 * real path is what may then be read.
 */
export async function outsideWhereabouts(
  path: string,
  roots: readonly string[],
): Promise<{ where: Exclude<Whereabouts, 'inside'>; real?: string }> {
  const real = await realpath(path).catch(() => undefined)
  if (real === undefined || !roots.some((root) => isWithin(root, real))) return { where: 'outside' }
  return { where: 'library', real }
}

/** The text of a library file (by its real path), for a location's line: it is not in the workspace to read. */
export function readLibraryText(real: string): Promise<string> {
  return readFile(real, 'utf8').catch(() => '')
}
