import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods, type SessionUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { DISCOVERY_CAPABILITIES, ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const codeSession = async (f: ReturnType<typeof useProtocolFixture>, mode = 'yolo') => {
  const sessionId = await f.session()
  await f.acp.agent.request(methods.agent.session.setConfigOption, {
    sessionId,
    configId: 'tool_mode',
    value: 'code',
  })
  await setMode(f, sessionId, mode)
  return sessionId
}

const code = (lines: string[]) => lines.join('\n')

const cards = (updates: SessionUpdate[]) =>
  updates.filter((u) => u.sessionUpdate === 'tool_call') as (SessionUpdate & {
    sessionUpdate: 'tool_call'
    toolCallId: string
    title: string
    _meta?: { punie?: { parentToolCallId?: string } }
  })[]

describe('Code Mode', () => {
  const f = useProtocolFixture({
    ide: () => {
      const ide = new ScriptedIde(DISCOVERY_CAPABILITIES)
      ide.catalog = [
        {
          name: 'slow_index',
          description: 'An IDE lookup that takes its time',
          inputSchema: { type: 'object', properties: {} },
          timeoutMs: 200,
          answer: () => new Promise((resolve) => setTimeout(() => resolve('late'), 2000)),
        },
        {
          name: 'broken_index',
          description: 'An IDE lookup that fails',
          inputSchema: { type: 'object', properties: {} },
          answer: () => {
            throw new Error('index is corrupt')
          },
        },
      ]
      return ide
    },
  })

  it('offers only execute_code, with one compact signature per function and no result types in the prompt', async () => {
    const sessionId = await codeSession(f)
    f.model.enqueue({ text: 'ok' })
    await f.acp.prompt(sessionId, 'hi')
    const request = f.model.chatRequests()[0]
    expect(request?.body.tools?.map((t) => t.function.name)).toEqual(['execute_code'])
    const system = request?.body.messages[0]?.content ?? ''
    expect(system).toContain(
      '- read_file(path: str, line?: int, limit?: int): Read a text file, optionally from a 1-based `line` for `limit` lines.',
    )
    expect(system).toContain(
      '- glob(pattern: str, path?: str): Find files by glob pattern (e.g. "src/**/*.py"), skipping what .gitignore excludes.',
    )
    expect(system).toContain('- tool_help(names?: list[str]):')
    expect(system).not.toContain('TypedDict')
    expect(system).toContain('no classes,')
  })

  it('answers tool_help from code with the whole stub: result TypedDicts and the full description', async () => {
    const sessionId = await codeSession(f)
    const run = await runTool(f, sessionId, 'execute_code', {
      code: code(['h = tool_help(["git_log", "symbols"])', 'print(h["tools"][0]["python"])', 'h["unknown"]']),
    })
    expect(run.result).toContain('class GitLogResultCommitsItem(TypedDict):')
    expect(run.result).toContain(
      'def git_log(n: int | None = None, ref: str | None = None, path: str | None = None) -> GitLogResult:',
    )
    expect(run.result).toMatch(/"similar":\["document_symbols","workspace_symbols"\]/)
  })

  it('does a three-step task in 2 model requests where direct mode needs 5', async () => {
    mkdirSync(join(f.workspace, 'pkg'))
    writeFileSync(join(f.workspace, 'a.py'), '# TODO: one\nx = 1\n')
    writeFileSync(join(f.workspace, 'pkg/b.py'), '# TODO: two\n# TODO: three\n')
    writeFileSync(join(f.workspace, 'c.py'), 'done = True\n')
    writeFileSync(join(f.workspace, 'notes.txt'), 'TODO: not python\n')
    const task = 'How many TODO lines are there in the Python files?'

    const direct = await f.session()
    await setMode(f, direct, 'yolo')
    const lastTool = (r: { body: { messages: { role: string; content: string | null }[] } }) =>
      [...r.body.messages].reverse().find((m) => m.role === 'tool')?.content ?? ''
    f.model.enqueue(
      { toolCalls: [{ name: 'glob', arguments: { pattern: '**/*.py' } }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'a.py' } }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'c.py' } }] },
      { toolCalls: [{ name: 'read_file', arguments: { path: 'pkg/b.py' } }] },
      (r) => ({ text: `Last file read:\n${lastTool(r)}` }),
    )
    await f.acp.prompt(direct, task)
    const directRequests = f.model.chatRequests().length

    const coded = await codeSession(f)
    const before = f.model.chatRequests().length
    let result = ''
    f.model.enqueue(
      {
        toolCalls: [
          {
            name: 'execute_code',
            arguments: {
              code: code([
                'files = glob("**/*.py")["paths"]',
                'count = 0',
                'for path in files:',
                '    text = read_file(path)["content"]',
                '    count += len([l for l in text.split("\\n") if "TODO" in l])',
                'print(f"{count} TODO lines in {len(files)} files")',
              ]),
            },
          },
        ],
      },
      (r) => {
        result = lastTool(r)
        return { text: result }
      },
    )
    await f.acp.prompt(coded, task)
    const codeRequests = f.model.chatRequests().length - before
    expect(result).toMatch(/^3 TODO lines in 3 files\n\(4 tool calls\)/)
    expect(codeRequests).toBe(2)
    expect(directRequests).toBeGreaterThanOrEqual(4)
  })

  it('shows every call the code makes as its own tool card, linked to the execute_code card', async () => {
    writeFileSync(join(f.workspace, 'x.py'), 'print(1)\n')
    const sessionId = await codeSession(f)
    const run = await runTool(f, sessionId, 'execute_code', { code: 'read_file("x.py")\nlist_dir(".")' })
    const all = cards(f.acp.updates(sessionId))
    const parent = all.find((c) => c.title.startsWith('Run Python'))
    const children = all.filter((c) => c._meta?.punie?.parentToolCallId === parent?.toolCallId)
    expect(children.map((c) => c.title)).toEqual(['Read x.py', 'List .'])
    expect(run.result).toMatch(/^\(no output\)\nResult: .*"entries"/)
    const updates = f.acp.updates(sessionId)
    for (const child of children) {
      expect(updates).toContainEqual(
        expect.objectContaining({ toolCallId: child.toolCallId, status: 'completed' }),
      )
    }
  })

  it('turns each kind of tool failure into a Python exception the code can catch', async () => {
    const sessionId = await codeSession(f)
    const run = await runTool(f, sessionId, 'execute_code', {
      code: code([
        'def attempt(label, fn):',
        '    try:',
        '        fn()',
        '        print(label, "ok")',
        '    except FileNotFoundError as e:',
        '        print(label, "FileNotFoundError")',
        '    except PermissionError as e:',
        '        print(label, "PermissionError")',
        '    except ValueError as e:',
        '        print(label, "ValueError")',
        '    except TimeoutError as e:',
        '        print(label, "TimeoutError")',
        '    except RuntimeError as e:',
        '        print(label, "RuntimeError", e)',
        'attempt("missing", lambda: read_file("nope.txt"))',
        'attempt("outside", lambda: read_file("../../etc/passwd"))',
        'attempt("invalid", lambda: read_file("x", line=0))',
        'attempt("slow", lambda: slow_index())',
        'attempt("broken", lambda: broken_index())',
      ]),
    })
    expect(run.result.split('\n').slice(0, 5)).toEqual([
      'missing FileNotFoundError',
      'outside PermissionError',
      'invalid ValueError',
      'slow TimeoutError',
      'broken RuntimeError index is corrupt',
    ])
  })

  it('refuses code that does not type-check against the stubs, without running it', async () => {
    const sessionId = await codeSession(f)
    const run = await runTool(f, sessionId, 'execute_code', {
      code: 'r = read_file(3)\nprint(r["nonsense"])\nundefined_function()',
    })
    expect(run.result).toMatch(/^Error: the code was not run: it does not type-check/)
    expect(run.result).toMatch(/line 1:\d+: invalid-argument-type/)
    expect(run.result).toMatch(/line 2:\d+: invalid-key/)
    expect(run.result).toMatch(/line 3:\d+: unresolved-reference/)
    expect(cards(f.acp.updates(sessionId)).filter((c) => c._meta?.punie?.parentToolCallId)).toEqual([])
  })

  it('returns a CPython-style traceback for an uncaught error, with the output printed before it', async () => {
    const sessionId = await codeSession(f)
    const run = await runTool(f, sessionId, 'execute_code', { code: 'print("step 1")\nx = {"a": 1}\nx["b"]' })
    expect(run.result).toMatch(
      /^Error: Output before the error:\nstep 1\n\nTraceback \(most recent call last\):\n {2}File "snippet.py", line 3/,
    )
    expect(run.result).toMatch(/KeyError: '?b'?$/)
    expect(run.cards.some((c) => 'status' in c && c.status === 'failed')).toBe(true)
  })

  it('keeps the subset the prompt promises: json, re and math work; classes and str.format do not', async () => {
    const sessionId = await codeSession(f)
    const ok = await runTool(f, sessionId, 'execute_code', {
      code: 'import json\nimport re\nimport math\n{"json": json.dumps([1]), "re": re.findall(r"\\d", "a1b2"), "sqrt": math.sqrt(16)}',
    })
    expect(ok.result).toContain('Result: {"json":"[1]","re":["1","2"],"sqrt":4}')
    const klass = await runTool(f, sessionId, 'execute_code', { code: 'class A:\n    pass' })
    expect(klass.result).toMatch(/class definitions/)
    const format = await runTool(f, sessionId, 'execute_code', { code: '"{}".format(1)' })
    expect(format.result).toMatch(/'str' object has no attribute 'format'/)
  })

  it('asks permission for writes made from code, and a rejection raises PermissionError', async () => {
    const sessionId = await codeSession(f, 'ask')
    f.acp.ide?.answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'execute_code', {
      code: code([
        'try:',
        '    write_file("out.txt", "data")',
        'except PermissionError as e:',
        '    print("denied:", e)',
      ]),
    })
    expect(run.result).toMatch(/^denied: the user rejected Write out\.txt/)
    expect(existsSync(join(f.workspace, 'out.txt'))).toBe(false)
    expect(f.acp.ide?.permissionRequests[0]?.toolCall).toMatchObject({
      title: 'Write out.txt',
      content: [{ type: 'diff', newText: 'data' }],
    })
  })

  it('cancels a runaway loop at once, and the next snippet runs', async () => {
    const sessionId = await codeSession(f)
    f.model.enqueue({
      toolCalls: [{ name: 'execute_code', arguments: { code: 'n = 0\nwhile True:\n    n += 1' } }],
    })
    const running = f.acp.prompt(sessionId, 'spin')
    await f.acp.waitFor(() =>
      f.acp
        .updates(sessionId)
        .some((u) => u.sessionUpdate === 'tool_call_update' && u.status === 'in_progress'),
    )
    await new Promise((r) => setTimeout(r, 200))
    await f.acp.cancel(sessionId)
    expect((await running).stopReason).toBe('cancelled')
    const next = await runTool(f, sessionId, 'execute_code', { code: 'print("alive")' })
    expect(next.result).toMatch(/^alive/)
  })
})

describe('Code Mode limits', () => {
  const f = useProtocolFixture()

  it('stops code at the wall-time, memory, recursion and tool-call limits, and the session goes on', async () => {
    f.writeConfig({ codeMode: { timeoutMs: 500, maxMemoryMb: 8, maxRecursionDepth: 40, maxToolCalls: 3 } })
    await f.restart()
    writeFileSync(join(f.workspace, 'f.txt'), 'x')
    const sessionId = await codeSession(f)
    const wall = await runTool(f, sessionId, 'execute_code', {
      code: 'print("before")\nwhile True:\n    pass',
    })
    expect(wall.result).toMatch(/TimeoutError: the code ran longer than 0\.5 s/)
    const memory = await runTool(f, sessionId, 'execute_code', {
      code: 'x = []\nwhile True:\n    x.append("a" * 10000)',
    })
    expect(memory.result).toMatch(/MemoryError/)
    const recursion = await runTool(f, sessionId, 'execute_code', {
      code: 'def f(n):\n    return f(n + 1)\nf(0)',
    })
    expect(recursion.result).toMatch(/RecursionError/)
    const calls = await runTool(f, sessionId, 'execute_code', {
      code: 'for i in range(10):\n    read_file("f.txt")',
    })
    expect(calls.result).toMatch(/RuntimeError: more than 3 tool calls in one run/)
    const fine = await runTool(f, sessionId, 'execute_code', { code: '6 * 7' })
    expect(fine.result).toContain('Result: 42')
  })
})
