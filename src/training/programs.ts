// Finding the programs a runner starts: on PATH, or the user's Python. No shell is involved.
import { accessSync, constants } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import type { TrainConfig } from './config.js'

export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (isAbsolute(name)) return executable(name) ? name : undefined
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    if (executable(candidate)) return candidate
  }
  return undefined
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The Python a run uses: the config's, else PUNIE_PYTHON, else python3. */
export function pythonFor(config: TrainConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.python ?? env.PUNIE_PYTHON ?? 'python3'
}
