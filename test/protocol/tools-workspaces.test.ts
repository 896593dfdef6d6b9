// Every built-in tool through a real ACP client, on an IDE-backed workspace and on the local one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode, statuses } from './tool-harness.js'

const setups = [
  { name: 'IDE-backed workspace', ide: () => new ScriptedIde() },
  { name: 'local workspace', ide: undefined },
] as const

describe.each(setups)('built-in tools on the $name', (setup) => {
  const f = useProtocolFixture(setup.ide ? { ide: setup.ide } : {})
  const viaIde = setup.ide !== undefined
  const yoloSession = async () => {
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    return sessionId
  }

  it('read_file reads through the IDE (seeing unsaved buffers) or from disk', async () => {
    const path = join(f.workspace, 'app.py')
    writeFileSync(path, 'print("saved")\n')
    f.acp.ide?.buffers.set(path, 'print("unsaved edit")\n')
    const sessionId = await yoloSession()
    const run = await runTool(f, sessionId, 'read_file', { path: 'app.py' })
    expect(run.result).toBe(viaIde ? 'print("unsaved edit")\n' : 'print("saved")\n')
    expect(f.acp.ide?.reads ?? []).toEqual(viaIde ? [path] : [])
    expect(statuses(run)).toEqual(['pending', 'in_progress', 'completed'])
  })

  it('read_file reports a missing file as a failed call with a hint', async () => {
    const sessionId = await yoloSession()
    const run = await runTool(f, sessionId, 'read_file', { path: 'nope.py' })
    expect(run.result).toMatch(/^Error: no such file: nope\.py\n.*list_dir or glob/s)
    expect(statuses(run)).toContain('failed')
  })

  it('write_file creates a file and shows the diff', async () => {
    const sessionId = await yoloSession()
    const run = await runTool(f, sessionId, 'write_file', { path: 'pkg/new.py', content: 'x = 1\n' })
    expect(run.result).toBe('Created pkg/new.py (6 bytes)')
    expect(readFileSync(join(f.workspace, 'pkg/new.py'), 'utf8')).toBe('x = 1\n')
    expect(run.cards[0]).toMatchObject({
      sessionUpdate: 'tool_call',
      kind: 'edit',
      content: [{ type: 'diff', path: join(f.workspace, 'pkg/new.py'), oldText: null, newText: 'x = 1\n' }],
    })
    expect(f.acp.ide?.writes.map((w) => w.path) ?? []).toEqual(
      viaIde ? [join(f.workspace, 'pkg/new.py')] : [],
    )
  })

  it('edit_file replaces exact text, and refuses missing or ambiguous text without writing', async () => {
    const path = join(f.workspace, 'calc.py')
    writeFileSync(path, 'def add(a, b):\n    return a - b\n\n# a - b\n')
    const sessionId = await yoloSession()
    const ok = await runTool(f, sessionId, 'edit_file', {
      path: 'calc.py',
      old: '    return a - b',
      new: '    return a + b',
    })
    expect(ok.result).toBe('Edited calc.py: 1 replacement')
    expect(readFileSync(path, 'utf8')).toBe('def add(a, b):\n    return a + b\n\n# a - b\n')
    expect(ok.cards[0]).toMatchObject({
      content: [
        {
          type: 'diff',
          oldText: expect.stringContaining('a - b'),
          newText: expect.stringContaining('a + b'),
        },
      ],
    })

    writeFileSync(path, 'x = 1\nx = 1\n')
    const ambiguous = await runTool(f, sessionId, 'edit_file', {
      path: 'calc.py',
      old: 'x = 1',
      new: 'x = 2',
    })
    expect(ambiguous.result).toMatch(/occurs 2 times.*replace_all/)
    const missing = await runTool(f, sessionId, 'edit_file', { path: 'calc.py', old: 'y = 1', new: 'y = 2' })
    expect(missing.result).toMatch(/was not found/)
    expect(readFileSync(path, 'utf8')).toBe('x = 1\nx = 1\n')
    const all = await runTool(f, sessionId, 'edit_file', {
      path: 'calc.py',
      old: 'x = 1',
      new: 'x = 2',
      replace_all: true,
    })
    expect(all.result).toBe('Edited calc.py: 2 replacements')
  })

  it('list_dir, glob and grep find files, skipping what .gitignore excludes', async () => {
    mkdirSync(join(f.workspace, 'src/pkg'), { recursive: true })
    mkdirSync(join(f.workspace, 'build'))
    writeFileSync(join(f.workspace, '.gitignore'), 'build/\n*.log\n')
    writeFileSync(join(f.workspace, 'src/pkg/core.py'), 'def handler():\n    return 42\n')
    writeFileSync(join(f.workspace, 'src/main.py'), 'from pkg.core import handler\n')
    writeFileSync(join(f.workspace, 'build/core.py'), 'def handler(): pass\n')
    writeFileSync(join(f.workspace, 'debug.log'), 'handler called\n')
    const sessionId = await yoloSession()

    const listing = await runTool(f, sessionId, 'list_dir', { path: 'src' })
    expect(listing.result).toBe('main.py (29 B)\npkg/')

    const found = await runTool(f, sessionId, 'glob', { pattern: '**/*.py' })
    expect(found.result).toBe('src/main.py\nsrc/pkg/core.py')

    const matches = await runTool(f, sessionId, 'grep', { pattern: 'def \\w+\\(' })
    expect(matches.result).toBe('src/pkg/core.py:1: def handler():')
    const scoped = await runTool(f, sessionId, 'grep', {
      pattern: 'HANDLER',
      ignore_case: true,
      glob: 'main.py',
      path: 'src',
    })
    expect(scoped.result).toBe('src/main.py:1: from pkg.core import handler')
    const bad = await runTool(f, sessionId, 'grep', { pattern: '(' })
    expect(bad.result).toMatch(/invalid regular expression/)
  })

  it('run_command returns the exit code and output, as a live IDE terminal or as text', async () => {
    const sessionId = await yoloSession()
    const run = await runTool(f, sessionId, 'run_command', {
      command: 'echo hello && echo oops >&2 && exit 3',
    })
    expect(run.result).toMatch(/^The command exited with code 3\.\n/)
    expect(run.result).toContain('hello')
    expect(run.result).toContain('oops')
    expect(run.cards[0]).toMatchObject({ title: 'echo hello && echo oops >&2 && exit 3', kind: 'execute' })
    const contentTypes = run.cards.flatMap((c) =>
      'content' in c && Array.isArray(c.content) ? c.content.map((x) => x.type) : [],
    )
    expect(contentTypes).toContain(viaIde ? 'terminal' : 'content')
    if (viaIde) {
      expect(f.acp.ide?.terminalsCreated[0]).toMatchObject({
        command: '/bin/sh',
        cwd: f.workspace,
        outputByteLimit: 1024 * 1024,
      })
      expect(f.acp.ide?.liveTerminals()).toBe(0)
    }
  })

  it('run_command kills a command that runs past its timeout', async () => {
    const sessionId = await yoloSession()
    const run = await runTool(f, sessionId, 'run_command', {
      command: 'echo started; sleep 30',
      timeout_ms: 300,
    })
    expect(run.result).toMatch(/timed out and was killed/)
    expect(run.result).toContain('started')
  })

  it('runs a background command and reads, waits for, kills and releases it', async () => {
    const sessionId = await yoloSession()
    const started = await runTool(f, sessionId, 'run_command', {
      command: 'echo tick; sleep 30',
      background: true,
    })
    const terminalId = /terminal (\S+)\./.exec(started.result)?.[1] as string
    expect(terminalId).toBeTruthy()

    let output = await runTool(f, sessionId, 'get_terminal_output', { terminal_id: terminalId })
    for (let i = 0; i < 20 && !output.result.includes('tick'); i++) {
      await new Promise((r) => setTimeout(r, 50))
      output = await runTool(f, sessionId, 'get_terminal_output', { terminal_id: terminalId })
    }
    expect(output.result).toMatch(/^Still running\.\ntick/)
    const waited = await runTool(f, sessionId, 'wait_for_terminal_exit', {
      terminal_id: terminalId,
      timeout_ms: 100,
    })
    expect(JSON.parse(waited.result)).toEqual({ exit: null, timedOut: true })
    await runTool(f, sessionId, 'kill_terminal', { terminal_id: terminalId })
    const after = await runTool(f, sessionId, 'wait_for_terminal_exit', { terminal_id: terminalId })
    expect(JSON.parse(after.result).exit).not.toBeNull()
    await runTool(f, sessionId, 'release_terminal', { terminal_id: terminalId })
    const gone = await runTool(f, sessionId, 'get_terminal_output', { terminal_id: terminalId })
    expect(gone.result).toMatch(/^Error: .*terminal/)
  })

  it('plan shows the plan instead of a tool card', async () => {
    const sessionId = await yoloSession()
    const entries = [
      { content: 'Read the failing test', status: 'completed' },
      { content: 'Fix the parser', status: 'in_progress', priority: 'high' },
    ]
    const run = await runTool(f, sessionId, 'plan', { entries })
    expect(run.cards).toEqual([])
    expect(run.result).toBe('Plan recorded: 1/2 done.')
    const plan = f.acp.updates(sessionId).find((u) => u.sessionUpdate === 'plan')
    expect(plan).toEqual({
      sessionUpdate: 'plan',
      entries: [
        { content: 'Read the failing test', status: 'completed', priority: 'medium' },
        { content: 'Fix the parser', status: 'in_progress', priority: 'high' },
      ],
    })
  })

  it('keeps every tool inside the workspace', async () => {
    const sessionId = await yoloSession()
    for (const [name, args] of [
      ['read_file', { path: '../../etc/passwd' }],
      ['write_file', { path: '/tmp/punie-escape.txt', content: 'x' }],
      ['list_dir', { path: '..' }],
      ['glob', { pattern: '*', path: '/etc' }],
      ['grep', { pattern: 'root', path: '/etc' }],
      ['run_command', { command: 'pwd', cwd: '..' }],
    ] as const) {
      const run = await runTool(f, sessionId, name, args)
      expect(run.result, name).toMatch(/outside the workspace/)
    }
    expect(existsSync('/tmp/punie-escape.txt')).toBe(false)
  })
})

describe('an IDE that offers only some capabilities', () => {
  const f = useProtocolFixture({
    ide: () => new ScriptedIde({ fs: { readTextFile: true, writeTextFile: false }, terminal: false }),
  })

  it('reads through the IDE and falls back to local for writes and commands', async () => {
    writeFileSync(join(f.workspace, 'm.py'), 'disk')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    f.acp.ide?.buffers.set(join(f.workspace, 'm.py'), 'buffer')
    expect((await runTool(f, sessionId, 'read_file', { path: 'm.py' })).result).toBe('buffer')
    await runTool(f, sessionId, 'write_file', { path: 'n.py', content: 'local write' })
    expect(readFileSync(join(f.workspace, 'n.py'), 'utf8')).toBe('local write')
    const run = await runTool(f, sessionId, 'run_command', { command: 'cat n.py' })
    expect(run.result).toContain('local write')
    expect(f.acp.ide?.writes).toEqual([])
    expect(f.acp.ide?.terminalsCreated).toEqual([])
  })
})
