// Language servers per (workspace root, language): started on first use, started again after a crash, and shut
// down with their project (which keeps them warm a while after its last session, see session/project.ts).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { LspClient, type ServerCommand } from './client.js'

/** pyright's language server, shipped with Punie through npm. */
export function defaultPythonServer(): ServerCommand {
  const manifest = createRequire(import.meta.url).resolve('pyright/package.json')
  return {
    command: process.execPath,
    args: [join(dirname(manifest), 'langserver.index.js'), '--stdio'],
    languageId: 'python',
  }
}

/** pyright for Python, and whatever the config adds or overrides: { language: [command, ...args] }. */
export function configuredServers(
  configured: Readonly<Record<string, readonly string[]>>,
): Record<string, ServerCommand> {
  const servers: Record<string, ServerCommand> = { python: defaultPythonServer() }
  for (const [language, [command, ...args]] of Object.entries(configured)) {
    if (command) servers[language] = { command, args, languageId: language }
  }
  return servers
}

const EXTENSIONS: Record<string, string> = {
  py: 'python',
  pyi: 'python',
  ts: 'typescript',
  tsx: 'typescriptreact',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascriptreact',
  mjs: 'javascript',
  cjs: 'javascript',
  rs: 'rust',
  go: 'go',
  java: 'java',
  rb: 'ruby',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
}

/** The language of a file by its extension (LSP language ids). */
export function languageOf(path: string): string {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''
  return EXTENSIONS[extension] ?? extension
}

export class LspPool {
  private readonly clients = new Map<string, LspClient>()

  constructor(private readonly servers: Record<string, ServerCommand> = { python: defaultPythonServer() }) {}

  /** A running client for the language, starting (or restarting) its server if needed; `onStart` hears of that. */
  async client(
    root: string,
    language: string,
    onStart?: (server: ServerCommand) => void,
  ): Promise<LspClient> {
    const server = this.servers[language]
    if (!server) {
      throw new Error(
        `no language server is set up for ${language || 'this kind of'} files; add one under "languageServers" in config.json, e.g. {"${language || 'typescript'}": ["typescript-language-server", "--stdio"]}`,
      )
    }
    const key = `${root}\u0000${language}`
    let client = this.clients.get(key)
    if (!client?.alive) {
      onStart?.(server)
      client = new LspClient(root, server)
      this.clients.set(key, client)
    }
    await client.ready
    return client
  }

  async dispose(): Promise<void> {
    const clients = [...this.clients.values()]
    this.clients.clear()
    await Promise.all(clients.map((c) => c.shutdown()))
  }
}
