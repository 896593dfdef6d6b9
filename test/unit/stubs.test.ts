import { Monty, MontyTypingError } from '@pydantic/monty'
import { describe, expect, it } from 'vitest'
import { pythonType, toolStubs } from '../../src/codemode/stubs.js'
import { fromPython, toPython } from '../../src/codemode/values.js'
import { builtinTools } from '../../src/tools/builtin/index.js'

const typeErrors = (code: string, prefix: string): string => {
  try {
    new Monty(code, { typeCheck: true, typeCheckPrefixCode: prefix, scriptName: 'snippet.py' })
    return ''
  } catch (error) {
    if (error instanceof MontyTypingError) return error.displayDiagnostics('concise')
    throw error
  }
}

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

describe('values between JavaScript and Python', () => {
  it('turns objects into dicts (Maps) and back, recursively', () => {
    const value = { a: [1, { b: 'c' }], d: null }
    const python = toPython(value) as Map<string, unknown>
    expect(python).toBeInstanceOf(Map)
    expect((python.get('a') as unknown[])[1]).toBeInstanceOf(Map)
    expect(fromPython(python)).toEqual(value)
  })
})
