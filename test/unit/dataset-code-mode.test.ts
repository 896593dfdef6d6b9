// Code Mode examples: a direct-form example turned into one execute_code call per turn, and the tool calls read
// back from the code with the tree-sitter Python grammar; the generated code also runs in real Python.
import { spawnSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type CodeReader,
  codeForCalls,
  executeCodeDefinition,
  loadCodeReader,
  pythonCall,
  toCodeForm,
} from '../../src/dataset/code-mode.js'
import { exampleSchema, type ToolCall } from '../../src/dataset/example.js'
import { FORMATS, roundTripForm } from '../../src/dataset/formats/index.js'
import { CODE_FORM, DIRECT_ANSWER, MULTI_CALL, TOOLS } from '../helpers/dataset-examples.js'
import { needs } from '../helpers/needs.js'

let reader: CodeReader
beforeAll(async () => {
  reader = await loadCodeReader()
})

const directCalls = (messages: typeof MULTI_CALL.messages) =>
  messages
    .flatMap((m) => (m.role === 'assistant' ? [(m.tool_calls ?? []).map((c) => c.function)] : []))
    .filter((c) => c.length)

describe('direct form → code form', () => {
  const code = toCodeForm(MULTI_CALL)

  it('turns each turn of calls into one execute_code call and folds its results into one result', () => {
    expect(exampleSchema.safeParse(code).success).toBe(true)
    expect(code.messages).toHaveLength(MULTI_CALL.messages.length - 1)
    expect(code.messages[2]).toEqual({
      role: 'assistant',
      content: 'Je lis le fichier et je cherche les usages.',
      tool_calls: [
        {
          id: 'call_a1',
          type: 'function',
          function: {
            name: 'execute_code',
            arguments: JSON.stringify({
              code: 'result_1 = read_file(path="calc.py", line=1)\nprint(result_1)\nresult_2 = grep(pattern="somme\\\\(", glob="*.py")\nprint(result_2)',
            }),
          },
        },
      ],
    })
    expect(code.messages[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_a1',
      content: 'def somme(a, b):\n    return a - b\n\nmain.py:3: print(somme(1, 2))\n(2 tool calls)',
    })
    expect(code.messages[5]).toEqual({
      role: 'tool',
      tool_call_id: 'call_b1',
      content: 'Edited calc.py (1 replacement).\n(1 tool call)',
    })
    expect(code.metadata?.toolMode).toBe('code')
  })

  it('offers execute_code as Code Mode defines it, alone or beside the direct tools', () => {
    const definition = executeCodeDefinition()
    expect(definition.function.name).toBe('execute_code')
    expect(definition.function.parameters).toMatchObject({
      properties: { code: { type: 'string' } },
      required: ['code'],
    })
    expect(code.tools).toEqual([definition])
    expect(toCodeForm(MULTI_CALL, { keepTools: true }).tools?.map((t) => t.function.name)).toEqual([
      'read_file',
      'edit_file',
      'grep',
      'execute_code',
    ])
  })

  it('leaves a direct answer and an example already in code form as they are (bar the tools)', () => {
    expect(toCodeForm(DIRECT_ANSWER).messages).toEqual(DIRECT_ANSWER.messages)
    expect(toCodeForm(CODE_FORM).messages).toEqual(CODE_FORM.messages)
  })

  it('reads back exactly the calls the direct form made, turn by turn', () => {
    const read = reader.exampleCalls(code, TOOLS)
    expect(read.map((r) => r.message)).toEqual([2, 4])
    expect(read.map((r) => (r.calls.ok ? r.calls.calls : r.calls.reason))).toEqual(
      directCalls(MULTI_CALL.messages).map((calls) =>
        calls.map((c) => ({ name: c.name, arguments: JSON.stringify(JSON.parse(c.arguments)) })),
      ),
    )
  })

  it.each(FORMATS.map((f) => [f.name, f] as const))('the code form survives %s', (_name, f) => {
    const back = f.toExample(JSON.parse(JSON.stringify(f.fromExample(code))))
    expect(roundTripForm(back, f.keeps)).toEqual(roundTripForm(code, f.keeps))
  })

  needs('python3').it(
    'the generated code runs in Python and calls each tool with the arguments it had',
    () => {
      const calls = (MULTI_CALL.messages[2] as { tool_calls: ToolCall[] }).tool_calls
      const stubs = TOOLS.map(
        (t) => `def ${t.function.name}(**kw):\n    calls.append(["${t.function.name}", kw])\n    return "ok"`,
      ).join('\n')
      const program = `import json\ncalls = []\n${stubs}\n${codeForCalls(calls)}\nprint(json.dumps(calls, ensure_ascii=False))`
      const run = spawnSync('python3', ['-c', program], { encoding: 'utf8' })
      expect(run.stderr).toBe('')
      const printed = JSON.parse(run.stdout.trim().split('\n').pop() ?? '')
      expect(printed).toEqual(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]))
    },
  )
})

describe('reading tool calls from code', () => {
  const calls = (code: string) => reader.calls(code, TOOLS)

  it('reads the calls in the hand-written code-form example', () => {
    expect(reader.exampleCalls(CODE_FORM, TOOLS)).toEqual([
      {
        message: 2,
        id: 'call_c1',
        calls: { ok: true, calls: [{ name: 'read_file', arguments: '{"path":"app.py"}' }] },
      },
    ])
  })

  it('maps positional arguments by the stub order (required first) and reads every literal kind', () => {
    expect(
      calls(
        [
          'a = read_file("src/é.py", 3)',
          "grep(r'\\bdef\\b', glob='*' '.py')",
          'edit_file(edits=[{"old": "a\\n", "new": \'\\u00e9\\t\'}], path="x.py", options={"dry_run": True})',
          'read_file(path="y", line=-2, limit=None)',
          'print(read_file(**{"path": "z"})["content"][:10])',
        ].join('\n'),
      ),
    ).toEqual({
      ok: true,
      calls: [
        { name: 'read_file', arguments: '{"path":"src/é.py","line":3}' },
        { name: 'grep', arguments: '{"pattern":"\\\\bdef\\\\b","glob":"*.py"}' },
        {
          name: 'edit_file',
          arguments: '{"edits":[{"old":"a\\n","new":"é\\t"}],"path":"x.py","options":{"dry_run":true}}',
        },
        { name: 'read_file', arguments: '{"path":"y","line":-2}' },
        { name: 'read_file', arguments: '{"path":"z"}' },
      ],
    })
  })

  it('ignores functions that are not tools, and methods', () => {
    expect(calls('x = len([1])\nprint("a".upper())\nos.read_file("q")')).toEqual({ ok: true, calls: [] })
  })

  it.each([
    ['for p in ["a", "b"]:\n    read_file(path=p)', /read_file\(\) is called inside a for statement/],
    ['if True:\n    grep(pattern="x")', /grep\(\) is called inside an if statement/],
    ['p = "a"\nread_file(path=p)', /read_file\(\) is given "p", a value known only when the code runs/],
    ['read_file(path=f"{x}.py")', /formatted string/],
    ['read_file(*paths)', /spreads a list/],
    ['read_file("a", 1, 2, 3)', /more positional arguments than it takes/],
    ['read_file(path="a"', /does not parse as Python/],
  ])('says why %j is not decidable', (code, reason) => {
    const read = calls(code)
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.reason).toMatch(reason)
  })

  it('writes a key that is not a Python name through **{…}, and refuses a tool name that is not one', () => {
    expect(pythonCall('grep', { pattern: 'x', 'max-count': 2 })).toBe('grep(pattern="x", **{"max-count": 2})')
    expect(() => pythonCall('my-tool', {})).toThrow(/not a Python identifier/)
  })
})
