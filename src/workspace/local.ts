// Workspace on the local machine: node fs confined to the roots, and local processes.
import { lstat, mkdir, readdir, stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative } from 'node:path'
import { LocalTerminals } from './local-terminals.js'
import { isWithin, openInside, realPathInside, resolveRealInside } from './paths.js'
import { walkFiles } from './walk.js'
import {
  type DirEntry,
  type ExitStatus,
  type FileStat,
  type ReadTextOptions,
  type TerminalOutput,
  type TerminalRequest,
  type Workspace,
  WorkspaceFileNotFoundError,
} from './workspace.js'

export class LocalWorkspace implements Workspace {
  readonly roots: readonly string[]
  readonly backends = { read: 'local', write: 'local', terminal: 'local' } as const
  private readonly terminals = new LocalTerminals()

  constructor(
    readonly root: string,
    additionalDirectories: readonly string[] = [],
  ) {
    this.roots = [root, ...additionalDirectories]
  }

  resolve(path: string): Promise<string> {
    return resolveRealInside(this.roots, path)
  }

  realPath(path: string): Promise<string> {
    return realPathInside(this.roots, path)
  }

  display(absolute: string): string {
    if (!isWithin(this.root, absolute)) return absolute
    return relative(this.root, absolute) || '.'
  }

  async readText(path: string, options: ReadTextOptions = {}, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted()
    const opened = await openInside(this.roots, path, 'read').catch((error) => rethrowFsError(error, path))
    try {
      const text = await opened.handle.readFile({ encoding: 'utf8', ...(signal ? { signal } : {}) })
      return sliceLines(text, options)
    } catch (error) {
      return rethrowFsError(error, path)
    } finally {
      await opened.handle.close()
    }
  }

  readDiskText(path: string, signal?: AbortSignal): Promise<string> {
    return this.readText(path, {}, signal)
  }

  async writeText(path: string, content: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    const absolute = await this.resolve(path)
    await mkdir(dirname(absolute), { recursive: true })
    const opened = await openInside(this.roots, path, 'write').catch((error) => rethrowFsError(error, path))
    try {
      await opened.handle.truncate(0)
      await opened.handle.writeFile(content, 'utf8')
    } finally {
      await opened.handle.close()
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const absolute = await this.resolve(path)
    try {
      const s = await stat(absolute)
      return {
        type: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other',
        size: s.size,
        mtimeMs: s.mtimeMs,
      }
    } catch {
      return undefined
    }
  }

  async listDir(path: string): Promise<DirEntry[]> {
    const absolute = await this.resolve(path)
    const entries = await readdir(absolute, { withFileTypes: true }).catch((error) =>
      rethrowFsError(error, path),
    )
    const out = await Promise.all(
      entries.map(async (e): Promise<DirEntry> => {
        const type = e.isFile()
          ? 'file'
          : e.isDirectory()
            ? 'directory'
            : e.isSymbolicLink()
              ? 'symlink'
              : 'other'
        const size =
          type === 'file' ? (await lstat(`${absolute}/${e.name}`).catch(() => undefined))?.size : undefined
        return { name: e.name, type, ...(size !== undefined ? { size } : {}) }
      }),
    )
    return out.sort((a, b) => a.name.localeCompare(b.name))
  }

  async *walkFiles(dir: string, signal?: AbortSignal): AsyncIterable<string> {
    const absolute = await this.resolve(dir)
    const root = this.roots.find((r) => isWithin(r, absolute)) ?? this.root
    yield* walkFiles(root, absolute, signal)
  }

  async createTerminal(request: TerminalRequest): Promise<string> {
    if (request.cwd && !isAbsolute(request.cwd)) throw new Error('terminal cwd must be absolute')
    return this.terminals.create({ ...request, cwd: request.cwd ?? this.root })
  }

  async terminalOutput(terminalId: string): Promise<TerminalOutput> {
    return this.terminals.output(terminalId)
  }

  waitForTerminalExit(terminalId: string, signal?: AbortSignal): Promise<ExitStatus> {
    return this.terminals.waitForExit(terminalId, signal)
  }

  killTerminal(terminalId: string): Promise<void> {
    return this.terminals.kill(terminalId)
  }

  releaseTerminal(terminalId: string): Promise<void> {
    return this.terminals.release(terminalId)
  }

  dispose(): Promise<void> {
    return this.terminals.releaseAll()
  }
}

export function sliceLines(text: string, { line, limit }: ReadTextOptions): string {
  if (line === undefined && limit === undefined) return text
  const lines = text.split('\n')
  const start = Math.max(0, (line ?? 1) - 1)
  const end = limit === undefined ? lines.length : start + Math.max(0, limit)
  return lines.slice(start, end).join('\n')
}

function rethrowFsError(error: unknown, path: string): never {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') throw new WorkspaceFileNotFoundError(path)
  if (code === 'EISDIR') throw new Error(`${path} is a directory, not a file`)
  if (code === 'ENOTDIR') throw new Error(`${path}: a part of the path is not a directory`)
  if (code === 'EACCES' || code === 'EPERM') throw new Error(`${path}: permission denied`)
  throw error
}
