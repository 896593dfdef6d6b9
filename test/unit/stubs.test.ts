import { describe, expect, it } from 'vitest'
import { createExecuteCode, DEFAULT_CODE_LIMITS } from '../../src/codemode/execute-code.js'
import { CodeSandbox } from '../../src/codemode/sandbox.js'
import { oneLineDoc, pythonType, signatureLine, toolStubs } from '../../src/codemode/stubs.js'
import { createToolHelp } from '../../src/codemode/tool-help.js'
import { fromPython, toPython } from '../../src/codemode/values.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import { createCallTool } from '../../src/tools/call-tool.js'
import { typeErrors } from '../helpers/monty-types.js'

describe('Python stubs from the tool schemas', () => {
  const stubs = toolStubs(builtinTools)

  it('type-check cleanly themselves, every built-in tool included', () => {
    expect(typeErrors('pass', stubs.typeCheckPrefix)).toBe('')
    for (const tool of builtinTools) expect(stubs.typeCheckPrefix).toContain(`def ${tool.name}(`)
  })

  it('let correct code through and catch wrong arguments and unknown result keys', () => {
    const good = [
      'r = read_file("a.py", line=2)',
      'print(r["content"], r["totalLines"])',
      'for m in grep("TODO", glob="**/*.py")["matches"]:',
      '    print(m["path"], m["line"])',
      'done = run_command("pytest -q", timeout_ms=1000)["exitCode"]',
      'plan([{"content": "x", "status": "pending"}])',
    ].join('\n')
    expect(typeErrors(good, stubs.typeCheckPrefix)).toBe('')
    expect(typeErrors('read_file(path=1)', stubs.typeCheckPrefix)).toMatch(/invalid-argument-type/)
    expect(typeErrors('list_dir()["nope"]', stubs.typeCheckPrefix)).toMatch(/invalid-key/)
  })

  it('maps JSON schema types to Python annotations', () => {
    const shapes: string[] = []
    expect(pythonType({ type: 'array', items: { type: 'integer' } }, 'X', shapes)).toBe('list[int]')
    expect(pythonType({ enum: ['a', 'b'] }, 'X', shapes)).toBe('Literal["a", "b"]')
    expect(pythonType({ anyOf: [{ type: 'string' }, { type: 'null' }] }, 'X', shapes)).toBe('str | None')
    expect(
      pythonType({ type: 'object', properties: { n: { type: 'number' } }, required: [] }, 'Shape', shapes),
    ).toBe('Shape')
    expect(shapes).toContain('class Shape(TypedDict):\n    n: NotRequired[float]')
  })
})

/** Every tool a session can offer: the built-ins and the helpers made over them. */
const registeredTools = () => [
  ...builtinTools,
  createExecuteCode({
    sandbox: () => new CodeSandbox(),
    tools: builtinTools,
    stubs: toolStubs(builtinTools),
    limits: DEFAULT_CODE_LIMITS,
  }),
  createToolHelp({ tools: builtinTools, json: false }),
  createCallTool(builtinTools),
]

const balanced = (text: string): boolean => {
  const stack: string[] = []
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
  for (const c of text.replace(/`[^`]*`/g, '').replace(/"[^"]*"/g, '')) {
    if (pairs[c]) stack.push(pairs[c] as string)
    else if (c === ')' || c === ']' || c === '}') if (stack.pop() !== c) return false
  }
  return (
    stack.length === 0 &&
    (text.match(/`/g) ?? []).length % 2 === 0 &&
    (text.match(/"/g) ?? []).length % 2 === 0
  )
}

describe('one-line docs', () => {
  it('are a whole first sentence for every registered tool: balanced, ending with a period, cut at a word end', () => {
    for (const tool of registeredTools()) {
      const doc = oneLineDoc(tool.description)
      const whole = tool.description.replace(/\s+/g, ' ').trim()
      expect(doc, tool.name).toMatch(/\.$/)
      expect(balanced(doc), `${tool.name}: ${doc}`).toBe(true)
      expect(whole.startsWith(doc), tool.name).toBe(true)
      expect([undefined, ' '], `${tool.name}: ${doc}`).toContain(whole[doc.length])
      expect(doc.length, tool.name).toBeGreaterThan(15)
      expect(signatureLine(tool).endsWith(`): ${doc}`), tool.name).toBe(true)
    }
  })

  it('do not end inside brackets, quotes, abbreviations, file names or version numbers', () => {
    expect(
      oneLineDoc(
        'Find files by glob pattern (e.g. "**/*.py"), skipping what .gitignore excludes. At most 200.',
      ),
    ).toBe('Find files by glob pattern (e.g. "**/*.py"), skipping what .gitignore excludes.')
    expect(oneLineDoc('Read a.py with v1.2.3, i.e. the pinned one, e.g. twice. Then stop.')).toBe(
      'Read a.py with v1.2.3, i.e. the pinned one, e.g. twice.',
    )
    expect(oneLineDoc('Run `make test. now` [see x. y] "quoted. text" here! More.')).toBe(
      'Run `make test. now` [see x. y] "quoted. text" here!',
    )
    expect(oneLineDoc('No period at all')).toBe('No period at all')
    expect(oneLineDoc('Spread\n  over   lines. Second.')).toBe('Spread over lines.')
  })
})

describe('values between JavaScript and Python', () => {
  it('turns objects into dicts (Maps) and back, recursively', () => {
    const value = { a: [1, { b: 'c' }], d: null }
    const python = toPython(value) as Map<string, unknown>
    expect(python).toBeInstanceOf(Map)
    expect((python.get('a') as unknown[])[1]).toBeInstanceOf(Map)
    expect(fromPython(python)).toEqual(value)
  })
})
