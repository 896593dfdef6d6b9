import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory under the OS temp dir, resolved through symlinks (macOS /var → /private/var). */
export function makeTempDir(prefix = 'punie-test-'): { path: string; remove: () => void } {
  const path = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
