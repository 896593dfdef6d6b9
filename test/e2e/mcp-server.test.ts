// `punie mcp` as a child process over stdio, driven by the MCP SDK's own client, as another agent runs it.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { servedTools } from '../../src/mcp/server/tools.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import { BIN } from '../helpers/acp-harness.js'
import { makeTempDir } from '../helpers/temp.js'

type Answer = (request: ElicitRequest['params']) => ElicitResult

interface Served {
  client: Client
  workspace: string
  /** Every elicitation the server sent, in order. */
  asked: ElicitRequest['params'][]
  /** Errors the client's transport met: a line on stdout that is not protocol would land here. */
  errors: Error[]
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Starts `punie mcp` in a fresh workspace; with `answer`, the client advertises elicitation and answers so. */
async function serve(
  options: { args?: string[]; answer?: Answer; files?: Record<string, string>; config?: object } = {},
) {
  const dir = makeTempDir('punie-mcp-')
  cleanups.push(dir.remove)
  if (options.config) {
    mkdirSync(join(dir.path, 'home'))
    writeFileSync(join(dir.path, 'home', 'config.json'), JSON.stringify(options.config))
  }
  const workspace = join(dir.path, 'ws')
  mkdirSync(workspace)
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(join(workspace, path, '..'), { recursive: true })
    writeFileSync(join(workspace, path), text)
  }
  const asked: ElicitRequest['params'][] = []
  const client = new Client(
    { name: 'punie-mcp-test', version: '1.0.0' },
    { capabilities: options.answer ? { elicitation: {} } : {} },
  )
  const answer = options.answer
  if (answer) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params)
      return answer(request.params)
    })
  }
  const errors: Error[] = []
  client.onerror = (error) => errors.push(error)
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--cwd', workspace, ...(options.args ?? [])],
    env: { ...(process.env as Record<string, string>), PUNIE_HOME: join(dir.path, 'home') },
    stderr: 'pipe',
  })
  await client.connect(transport)
  cleanups.push(() => client.close())
  const served: Served = {
    client,
    workspace,
    asked,
    errors,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  }
  return served
}

const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n')

describe('punie mcp, listed and called by the MCP SDK client', () => {
  it("lists Punie's tools with the schemas and hints of their definitions", async () => {
    const { client, errors } = await serve()
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(servedTools(builtinTools).tools.map((t) => t.name))
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'read_file',
        'write_file',
        'grep',
        'list_dir',
        'run_command',
        'git_diff',
        'hover',
      ]),
    )
    expect(tools.map((t) => t.name)).not.toContain('plan')
    const write = tools.find((t) => t.name === 'write_file')
    expect(write?.inputSchema.required).toEqual(['path', 'content'])
    expect(write?.outputSchema?.required).toEqual(['path', 'created', 'bytes'])
    expect(write?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    expect(tools.find((t) => t.name === 'grep')?.annotations?.readOnlyHint).toBe(true)
    expect(tools.find((t) => t.name === 'run_command')?.annotations?.openWorldHint).toBe(true)
    expect(client.getInstructions()).toContain('Paths are relative to it')
    expect(errors).toEqual([])
  })

  it('read_file, grep and list_dir return typed results for real files', async () => {
    const { call, errors } = await serve({
      files: { 'src/app.py': 'def main():\n    return 42\n', 'README.md': '# demo\n' },
    })
    const read = await call('read_file', { path: 'src/app.py' })
    expect(read.isError).toBeFalsy()
    expect(read.structuredContent).toEqual({
      path: 'src/app.py',
      content: 'def main():\n    return 42\n',
      startLine: 1,
      endLine: 2,
      totalLines: 2,
      truncated: false,
    })
    expect(textOf(read)).toBe('def main():\n    return 42\n')

    const grep = await call('grep', { pattern: 'return \\d+' })
    expect(grep.structuredContent).toMatchObject({
      matches: [{ path: 'src/app.py', line: 2, text: '    return 42' }],
      truncated: false,
    })
    expect(textOf(grep)).toBe('src/app.py:2:     return 42')

    const list = await call('list_dir', {})
    expect(list.structuredContent).toEqual({
      path: '.',
      entries: [
        { name: 'README.md', type: 'file', size: 7 },
        { name: 'src', type: 'directory' },
      ],
      truncated: false,
    })
    expect(errors).toEqual([])
  })

  it('refuses paths outside the workspace, through .. , absolute paths and symlinks', async () => {
    const served = await serve()
    const outside = join(served.workspace, '..', 'secret.txt')
    writeFileSync(outside, 'the secret\n')
    symlinkSync(outside, join(served.workspace, 'link.txt'))
    for (const path of ['../secret.txt', outside, 'link.txt']) {
      const result = await served.call('read_file', { path })
      expect(result.isError, path).toBe(true)
      expect(textOf(result)).toMatch(/outside the workspace/)
      expect(textOf(result)).not.toContain('the secret')
    }
    const grep = await served.call('grep', { pattern: 'secret', path: '..' })
    expect(grep.isError).toBe(true)
  })

  it('without elicitation, a write and a command are refused with the reason, and nothing is written', async () => {
    const served = await serve()
    const write = await served.call('write_file', { path: 'new.txt', content: 'hi\n' })
    expect(write.isError).toBe(true)
    expect(textOf(write)).toContain("write_file needs the user's permission (Write new.txt)")
    expect(textOf(write)).toContain('elicitation')
    expect(existsSync(join(served.workspace, 'new.txt'))).toBe(false)
    const command = await served.call('run_command', { command: 'touch ran.txt' })
    expect(command.isError).toBe(true)
    expect(textOf(command)).toContain('run_command needs the user')
    expect(existsSync(join(served.workspace, 'ran.txt'))).toBe(false)
  })

  it('with elicitation, a write asks with its diff: declined leaves the file, accepted writes it', async () => {
    const answers: ElicitResult[] = [{ action: 'decline' }, { action: 'accept', content: {} }]
    const served = await serve({
      files: { 'notes.txt': 'one\ntwo\n' },
      answer: () => answers.shift() ?? { action: 'decline' },
    })
    const file = join(served.workspace, 'notes.txt')
    const declined = await served.call('write_file', { path: 'notes.txt', content: 'one\nthree\n' })
    expect(served.asked).toHaveLength(1)
    const message = served.asked[0]?.message ?? ''
    expect(message).toContain("Allow Punie's write_file: Write notes.txt?")
    expect(message.split('\n')).toEqual(expect.arrayContaining(['--- notes.txt', '-two', '+three']))
    expect(declined.isError).toBe(true)
    expect(textOf(declined)).toContain('the user rejected Write notes.txt')
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n')

    const accepted = await served.call('write_file', { path: 'notes.txt', content: 'one\nthree\n' })
    expect(served.asked).toHaveLength(2)
    expect(accepted.isError).toBeFalsy()
    expect(accepted.structuredContent).toEqual({ path: 'notes.txt', created: false, bytes: 10 })
    expect(readFileSync(file, 'utf8')).toBe('one\nthree\n')
  })

  it('"always" is remembered for the same file while the server runs, and no further', async () => {
    const served = await serve({ answer: () => ({ action: 'accept', content: { always: true } }) })
    await served.call('write_file', { path: 'a.txt', content: '1' })
    await served.call('write_file', { path: 'a.txt', content: '2' })
    expect(served.asked).toHaveLength(1)
    await served.call('write_file', { path: 'b.txt', content: '3' })
    expect(served.asked).toHaveLength(2)
    expect(readFileSync(join(served.workspace, 'a.txt'), 'utf8')).toBe('2')
  })

  it('run_command asks with the command, runs once allowed, and reports progress', async () => {
    const served = await serve({ answer: () => ({ action: 'accept', content: {} }) })
    const progress: string[] = []
    const result = (await served.client.callTool(
      { name: 'run_command', arguments: { command: 'echo hello from mcp' } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    )) as CallToolResult
    expect(served.asked).toHaveLength(1)
    expect(served.asked[0]?.message).toContain("Allow Punie's run_command: echo hello from mcp?")
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({
      exitCode: 0,
      output: 'hello from mcp\n',
      running: false,
    })
    expect(progress).toEqual(
      expect.arrayContaining(['Waiting for permission: echo hello from mcp', 'Running echo hello from mcp']),
    )
  })

  it('a result is capped as a session caps it (maxToolResultBytes), text and typed value', async () => {
    const line = 'x'.repeat(99)
    const served = await serve({
      config: { maxToolResultBytes: 2048 },
      files: { 'big.txt': `${Array.from({ length: 300 }, () => line).join('\n')}\n` },
    })
    const read = await served.call('read_file', { path: 'big.txt' })
    expect(Buffer.byteLength(textOf(read))).toBeLessThanOrEqual(2048)
    expect(textOf(read)).toMatch(/\[truncated: showed lines 1-\d+ of 300; pass line\/limit to read more\]$/)
    expect(JSON.stringify(read.structuredContent).length).toBeLessThanOrEqual(2 * 2048)
    expect(read.structuredContent).toMatchObject({ truncated: true, totalLines: 300 })
    const command = await served.call('run_command', { command: 'seq 1 100000' })
    expect(command.isError).toBe(true)
    const yolo = await serve({ config: { maxToolResultBytes: 2048 }, args: ['--mode', 'yolo'] })
    const output = await yolo.call('run_command', { command: 'seq 1 100000' })
    expect(Buffer.byteLength(textOf(output))).toBeLessThanOrEqual(2048)
    expect(textOf(output)).toContain('more not shown')
    expect(JSON.stringify(output.structuredContent).length).toBeLessThanOrEqual(2 * 2048 + 200)
    expect((output.structuredContent as { output: string }).output).toMatch(/more characters\]$/)
  })

  it('a language-server tool answers with typed symbols, its server start reported as progress', async () => {
    const served = await serve({
      files: {
        'shapes.py': 'def area(side: float) -> float:\n    return side * side\n\nclass Square:\n    pass\n',
      },
    })
    const progress: string[] = []
    const result = (await served.client.callTool(
      { name: 'document_symbols', arguments: { path: 'shapes.py' } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    )) as CallToolResult
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({
      symbols: expect.arrayContaining([
        expect.objectContaining({ name: 'area', kind: 'function', path: 'shapes.py', line: 1 }),
        expect.objectContaining({ name: 'Square', kind: 'class', line: 4 }),
      ]),
    })
    expect(progress).toContain('Starting the python language server…')
  })

  it('a dev tool that writes (format) asks once with the diff of every file it would change', async () => {
    const served = await serve({
      files: { 'a.py': 'x=1\n', 'pkg/b.py': 'def f( y ):\n  return y\n', 'ok.py': 'z = 2\n' },
      answer: () => ({ action: 'accept', content: {} }),
    })
    const result = await served.call('format', {})
    expect(served.asked).toHaveLength(1)
    const message = (served.asked[0]?.message ?? '').split('\n')
    expect(message[0]).toBe("Allow Punie's format: Format the project?")
    expect(message).toEqual(
      expect.arrayContaining(['--- a.py', '-x=1', '+x = 1', '--- pkg/b.py', '+def f(y):']),
    )
    expect(message.join('\n')).not.toContain('ok.py')
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ files_checked: 3, formatted: ['a.py', 'pkg/b.py'] })
    expect(readFileSync(join(served.workspace, 'a.py'), 'utf8')).toBe('x = 1\n')
  })

  it('invalid arguments and unknown tools are clear error results, and the server carries on', async () => {
    const served = await serve({ files: { 'a.txt': 'fine\n' } })
    const wrongType = await served.call('read_file', { path: 5 })
    expect(wrongType.isError).toBe(true)
    expect(textOf(wrongType)).toMatch(/invalid arguments for read_file: .*expected string/s)
    const missing = await served.call('write_file', { path: 'x.txt' })
    expect(missing.isError).toBe(true)
    expect(textOf(missing)).toMatch(/invalid arguments for write_file: .*content/s)
    const unknown = await served.call('no_such_tool', {})
    expect(unknown.isError).toBe(true)
    expect(textOf(unknown)).toContain('unknown tool "no_such_tool"')
    const missingFile = await served.call('read_file', { path: 'nope.txt' })
    expect(textOf(missingFile)).toContain('no such file: nope.txt')
    const read = await served.call('read_file', { path: 'a.txt' })
    expect(read.isError).toBeFalsy()
    expect(textOf(read)).toBe('fine\n')
    expect(served.errors).toEqual([])
  })

  it('a cancelled call stops its command, and the server carries on', async () => {
    const served = await serve({ args: ['--mode', 'yolo'] })
    const pidFile = join(served.workspace, 'pid.txt')
    const controller = new AbortController()
    const running = served.client.callTool(
      { name: 'run_command', arguments: { command: 'echo $$ > pid.txt; exec sleep 30' } },
      undefined,
      { signal: controller.signal },
    )
    const settled = running.then(
      () => 'answered',
      (error: Error) => error.message,
    )
    const pid = Number(await waitFor(() => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '')))
    expect(pid).toBeGreaterThan(0)
    controller.abort('the test cancels')
    expect(await settled).toMatch(/cancel/i)
    await waitFor(() => !alive(pid))
    const after = await served.call('list_dir', {})
    expect(after.isError).toBeFalsy()
  })
})

describe('punie mcp modes and options', () => {
  it('read-only lists no writer or command, and refuses a write with the reason', async () => {
    const served = await serve({ args: ['--mode', 'read-only'], answer: () => ({ action: 'accept' }) })
    const names = (await served.client.listTools()).tools.map((t) => t.name)
    expect(names).toContain('read_file')
    expect(names).not.toContain('write_file')
    expect(names).not.toContain('run_command')
    const write = await served.call('write_file', { path: 'a.txt', content: 'x' })
    expect(write.isError).toBe(true)
    expect(textOf(write)).toContain('read-only mode')
    expect(served.asked).toEqual([])
    expect(existsSync(join(served.workspace, 'a.txt'))).toBe(false)
  })

  it('accept-edits writes without asking and still refuses a command it cannot ask about', async () => {
    const served = await serve({ args: ['--mode', 'accept-edits'] })
    const write = await served.call('write_file', { path: 'a.txt', content: 'x' })
    expect(write.isError).toBeFalsy()
    expect(readFileSync(join(served.workspace, 'a.txt'), 'utf8')).toBe('x')
    const command = await served.call('run_command', { command: 'true' })
    expect(command.isError).toBe(true)
    expect(textOf(command)).toContain('elicitation')
    // A write that changes how tools behave asks in every mode but yolo, so here it is refused.
    const sensitive = await served.call('write_file', { path: '.punie/config.json', content: '{}' })
    expect(sensitive.isError).toBe(true)
    expect(textOf(sensitive)).toContain("write_file needs the user's permission")
    expect(existsSync(join(served.workspace, '.punie'))).toBe(false)
  })

  it('punie --help lists the command, and punie mcp --help says how it asks', async () => {
    const run = promisify(execFile)
    expect((await run(process.execPath, [BIN, '--help'])).stdout).toMatch(
      /\n\s+mcp \[options\]\s+serve Punie's tools/,
    )
    const help = (await run(process.execPath, [BIN, 'mcp', '--help'])).stdout
    expect(help).toContain('--mode <mode>')
    expect(help).toContain('MCP elicitation')
  })

  it('--only serves exactly the named tools', async () => {
    const served = await serve({ args: ['--only', 'grep, read_file'] })
    expect((await served.client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'grep'])
    expect(textOf(await served.call('write_file', { path: 'a', content: '' }))).toContain('unknown tool')
  })

  it('an unknown tool name or a missing directory is one line on stderr and exit code 2', async () => {
    const run = promisify(execFile)
    const home = makeTempDir()
    cleanups.push(home.remove)
    const env = { ...process.env, PUNIE_HOME: home.path }
    const logFile = join(home.path, 'not-a-dir')
    writeFileSync(logFile, '')
    for (const [args, message] of [
      [['--only', 'read_file,nope'], /^punie mcp: unknown tool nope in --only: the tools are read_file, /],
      [['--log-dir', logFile], /^punie mcp: cannot write the log in .*not-a-dir: /],
      [['--cwd', join(home.path, 'missing')], /^punie mcp: .*missing is not a directory$/],
    ] as const) {
      const failure = await run(process.execPath, [BIN, 'mcp', ...args], { env }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      )
      expect(failure?.code).toBe(2)
      expect(failure?.stderr.trim()).toMatch(message)
      expect(failure?.stderr.trim().split('\n')).toHaveLength(1)
      expect(failure?.stdout).toBe('')
    }
  })
})

async function waitFor<T>(probe: () => T, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > until) throw new Error('waited too long')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('punie mcp on the wire, driven by hand-written JSON-RPC', () => {
  it('stdout carries only protocol; garbage, bad requests and a failed elicitation leave it serving', async () => {
    const dir = makeTempDir('punie-mcp-raw-')
    cleanups.push(dir.remove)
    const child = spawn(process.execPath, [BIN, 'mcp', '--cwd', dir.path], {
      env: { ...process.env, PUNIE_HOME: join(dir.path, '.home') },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    cleanups.push(() => {
      child.kill()
    })
    const lines: string[] = []
    const waiting: {
      match: (m: Record<string, unknown>) => boolean
      resolve: (m: Record<string, unknown>) => void
    }[] = []
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line)
      const message = JSON.parse(line) as Record<string, unknown>
      const at = waiting.findIndex((w) => w.match(message))
      if (at >= 0) waiting.splice(at, 1)[0]?.resolve(message)
    })
    const send = (message: unknown) =>
      child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`)
    const next = (match: (m: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => waiting.push({ match, resolve }))
    const reply = (id: number) => next((m) => m.id === id && !('method' in m))

    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'raw', version: '0' },
      },
    })
    expect(((await reply(1)).result as { serverInfo: { name: string } }).serverInfo.name).toBe('punie')
    send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    send('this is not JSON')
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { arguments: {} } })
    expect((await reply(2)).error).toMatchObject({ code: -32602, message: expect.stringMatching(/name/) })
    send({ jsonrpc: '2.0', id: 3, method: 'no/such/method', params: {} })
    expect((await reply(3)).error).toMatchObject({ code: -32601 })

    const elicited = next((m) => m.method === 'elicitation/create')
    send({
      jsonrpc: '2.0',
      id: 4,
      method: 'tools/call',
      params: { name: 'write_file', arguments: { path: 'a.txt', content: 'x' } },
    })
    const request = await elicited
    send({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'the dialog broke' } })
    const refused = (await reply(4)).result as CallToolResult
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain(
      'the permission request to the MCP client failed (MCP error -32000: the dialog broke)',
    )
    expect(existsSync(join(dir.path, 'a.txt'))).toBe(false)

    send({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: {} })
    expect(((await reply(5)).result as { tools: unknown[] }).tools.length).toBeGreaterThan(10)
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('jsonrpc', '2.0')
    child.stdin.end()
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
  })

  it('SIGTERM stops a running command and the server exits cleanly', async () => {
    const dir = makeTempDir('punie-mcp-term-')
    cleanups.push(dir.remove)
    const child = spawn(process.execPath, [BIN, 'mcp', '--cwd', dir.path, '--mode', 'yolo'], {
      env: { ...process.env, PUNIE_HOME: join(dir.path, '.home') },
      stdio: ['pipe', 'pipe', 'ignore'],
    })
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`)
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    })
    send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'run_command', arguments: { command: 'echo $$ > pid.txt; exec sleep 30' } },
    })
    const pidFile = join(dir.path, 'pid.txt')
    const pid = Number(await waitFor(() => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '')))
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    await waitFor(() => !alive(pid))
  })
})
