// Workspace on the local file system, confined to its root.
import { readFile } from 'node:fs/promises'
import { resolveRealInside } from './paths.js'
import { type ReadTextOptions, type Workspace, WorkspaceFileNotFoundError } from './workspace.js'

export class LocalWorkspace implements Workspace {
  constructor(readonly root: string) {}

  async readText(path: string, options: ReadTextOptions = {}, signal?: AbortSignal): Promise<string> {
    const absolute = await resolveRealInside(this.root, path)
    let text: string
    try {
      text = await readFile(absolute, { encoding: 'utf8', ...(signal ? { signal } : {}) })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new WorkspaceFileNotFoundError(path)
      if (code === 'EISDIR') throw new Error(`${path} is a directory, not a file`)
      throw error
    }
    return sliceLines(text, options)
  }
}

export function sliceLines(text: string, { line, limit }: ReadTextOptions): string {
  if (line === undefined && limit === undefined) return text
  const lines = text.split('\n')
  const start = Math.max(0, (line ?? 1) - 1)
  const end = limit === undefined ? lines.length : start + Math.max(0, limit)
  return lines.slice(start, end).join('\n')
}
