import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DISCOVERY_CAPABILITIES, ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const agentLog = (home: string) =>
  readdirSync(join(home, 'logs'))
    .map((name) => readFileSync(join(home, 'logs', name), 'utf8'))
    .join('')

async function until(done: () => boolean, deadlineMs = 5000) {
  const deadline = Date.now() + deadlineMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const ideWithCatalog = (capabilities = DISCOVERY_CAPABILITIES) => {
  const ide = new ScriptedIde(capabilities)
  ide.catalog = [
    {
      name: 'find_usages',
      description: 'Find usages of a symbol with the IDE index',
      inputSchema: { type: 'object', properties: { symbol: { type: 'string' } }, required: ['symbol'] },
      kind: 'search',
      answer: (args) => ({ usages: [{ file: 'src/a.py', line: 3, symbol: args.symbol }] }),
    },
    {
      name: 'read_file',
      description: 'Read a file through the IDE editor model',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
      kind: 'read',
      answer: (args) => `IDE contents of ${args.path}`,
    },
    {
      name: 'reformat_code',
      description: 'Reformat a file with the IDE formatter',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
      kind: 'edit',
      requiresPermission: true,
      answer: () => 'reformatted',
    },
  ]
  return ide
}

describe('tool discovery when the IDE offers a catalog', () => {
  const f = useProtocolFixture({ ide: ideWithCatalog })

  it('lists the IDE tools like any non-core tool, a same-named one replacing the built-in', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'hi' })
    await f.acp.prompt(sessionId, 'hello')
    const first = f.model.chatRequests()[0]
    const tools = first?.body.tools ?? []
    const byName = new Map(
      tools.map((t) => [t.function.name, t.function as unknown as Record<string, unknown>]),
    )
    // A catalog tool that replaces a core built-in is core itself: a JSON tool with the IDE's schema.
    expect(byName.get('read_file')).toMatchObject({
      description: 'Read a file through the IDE editor model',
      parameters: { type: 'object', properties: { path: { type: 'string' } } },
    })
    expect(byName.has('write_file')).toBe(true)
    // The others are one line of the listing, with parameters from the IDE's own schema.
    expect(byName.has('find_usages')).toBe(false)
    const system = first?.body.messages[0]?.content ?? ''
    expect(system).toContain('- find_usages(symbol: str): Find usages of a symbol with the IDE index')
    expect(system).toContain('- reformat_code(path?: str): Reformat a file with the IDE formatter')
  })

  it('describes an IDE tool through tool_help, from its own schema', async () => {
    const sessionId = await f.session()
    const help = await runTool(f, sessionId, 'tool_help', { names: ['find_usages'] })
    expect(help.result).toContain('def find_usages(symbol: str) -> Any:')
    expect(help.result).toContain('Find usages of a symbol with the IDE index')
  })

  it('calls IDE tools through _punie/tool_call and hands the answer to the model', async () => {
    writeFileSync(join(f.workspace, 'a.py'), 'on disk')
    const sessionId = await f.session()
    const usages = await runTool(f, sessionId, 'find_usages', { symbol: 'handler' })
    expect(JSON.parse(usages.result)).toEqual({ usages: [{ file: 'src/a.py', line: 3, symbol: 'handler' }] })
    const read = await runTool(f, sessionId, 'read_file', { path: 'a.py' })
    expect(read.result).toBe('IDE contents of a.py')
    expect(f.acp.ide?.toolCalls.map((c) => c.name)).toEqual(['find_usages', 'read_file'])
    expect(usages.cards[0]).toMatchObject({ kind: 'search' })
  })

  it('asks permission for IDE tools that require it', async () => {
    const sessionId = await f.session()
    f.acp.ide?.answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'reformat_code', { path: 'a.py' })
    expect(run.result).toMatch(/rejected/)
    expect(f.acp.ide?.toolCalls).toEqual([])
    await setMode(f, sessionId, 'yolo')
    expect((await runTool(f, sessionId, 'reformat_code', { path: 'a.py' })).result).toBe('reformatted')
  })
})

describe('tool discovery when the IDE has no catalog', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })

  it('falls back to the built-in tools, served through the IDE capabilities', async () => {
    writeFileSync(join(f.workspace, 'b.py'), 'disk text')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const read = await runTool(f, sessionId, 'read_file', { path: 'b.py' })
    expect(read.result).toBe('disk text')
    expect(f.acp.ide?.reads).toEqual([join(f.workspace, 'b.py')])
    const first = f.model.chatRequests()[0]
    const names = first?.body.tools?.map((t) => t.function.name)
    expect(names).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'glob',
      'grep',
      'run_command',
      'execute_code',
      'tool_help',
    ])
    const listed = (first?.body.messages[0]?.content ?? '').split('\n').filter((l) => l.startsWith('- '))
    expect(listed.map((l) => /^- (\w+)\(/.exec(l)?.[1])).toEqual([
      'list_dir',
      'get_terminal_output',
      'wait_for_terminal_exit',
      'kill_terminal',
      'release_terminal',
      'plan',
      'typecheck',
      'lint',
      'format',
      'run_tests',
      'git_status',
      'git_diff',
      'git_log',
      'goto_definition',
      'find_references',
      'hover',
      'document_symbols',
      'workspace_symbols',
      'rename_symbol',
      'diagnostics',
      'find_pattern',
      'add_import',
    ])
  })
})

describe('tool discovery only where the client advertises it', () => {
  const f = useProtocolFixture({ ide: () => ideWithCatalog(new ScriptedIde().capabilities) })

  it('sends no extension request to a client without _meta.punie.discoverTools, and offers the built-ins', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'hi' })
    await f.acp.prompt(sessionId, 'hello')
    expect(f.acp.ide?.extensionRequests).toEqual([])
    const names = f.model.chatRequests()[0]?.body.tools?.map((t) => t.function.name) ?? []
    expect(names).toContain('read_file')
    expect(names).not.toContain('find_usages')
  })
})

describe('tool discovery from a client slow to answer', () => {
  const f = useProtocolFixture({ ide: () => ideWithCatalog() })

  it('runs the first turn without the catalog, and offers it from the turn after it arrived', async () => {
    // The IDE answers discovery only once the first model request has gone out: a turn must not wait for it.
    let release: () => void = () => {}
    const ide = f.acp.ide as ScriptedIde
    ide.catalogHeld = new Promise<void>((resolve) => {
      release = resolve
    })
    const sessionId = await f.session()
    f.model.enqueue((request) => {
      release()
      return { text: JSON.stringify(request.body).includes('find_usages') ? 'late' : 'first' }
    })
    await f.acp.prompt(sessionId, 'hello')
    expect(f.acp.agentText(sessionId)).toContain('first')
    expect(ide.extensionRequests).toEqual(['_punie/discover_tools'])
    // The answer is on its way back; once the agent has it, the next turn offers the IDE's tools.
    await until(() => agentLog(f.home).includes('the IDE offers 3 tools'))
    f.model.enqueue({ text: 'second' })
    await f.acp.prompt(sessionId, 'again')
    // A catalog tool outside the core set is listed for discovery (tool_help, call_tool), not sent as a schema.
    expect(JSON.stringify(f.model.chatRequests()[1]?.body)).toContain('find_usages')
  })
})
