// The installed package's root, found from this file wherever it was compiled to (dist/, or a bench build).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

export function packageRoot(): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)))
  return root
}

function findRoot(dir: string): string {
  const manifest = join(dir, 'package.json')
  if (
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'punie'
  )
    return dir
  const parent = dirname(dir)
  if (parent === dir) throw new Error('cannot find the punie package root')
  return findRoot(parent)
}
