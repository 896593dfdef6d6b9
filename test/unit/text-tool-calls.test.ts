import { describe, expect, it } from 'vitest'
import { MarkupHold, parseTextToolCalls } from '../../src/model/text-tool-calls.js'

const tools = new Map<string, Record<string, unknown>>([
  ['read_file', { type: 'object', properties: { path: { type: 'string' }, line: { type: 'integer' } } }],
  ['execute_code', { type: 'object', properties: { code: { type: 'string' } } }],
])

describe('parseTextToolCalls', () => {
  it('reads <tool_call> JSON and strips it from the text', () => {
    const out = parseTextToolCalls(
      'Let me look.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>',
      { tools },
    )
    expect(out.calls).toEqual([{ name: 'read_file', arguments: '{"path":"a.py"}' }])
    expect(out.text).toBe('Let me look.')
  })

  it('reads Qwen3-Coder XML, with or without the opening tag, keeping strings as strings', () => {
    for (const text of [
      '<tool_call>\n<function=read_file>\n<parameter=path>\n007.py\n</parameter>\n<parameter=line>\n3\n</parameter>\n</function>\n</tool_call>',
      'Reading.\n<function=read_file>\n<parameter=path>\n007.py\n</parameter>\n<parameter=line>\n3\n</parameter>\n</function>\n</tool_call>',
    ]) {
      const out = parseTextToolCalls(text, { tools })
      expect(out.calls).toEqual([{ name: 'read_file', arguments: '{"path":"007.py","line":3}' }])
      expect(out.text).not.toContain('function=')
    }
  })

  it('reads fenced JSON calls of known tools only', () => {
    const out = parseTextToolCalls('```json\n{"name": "read_file", "arguments": {"path": "b.py"}}\n```', {
      tools,
    })
    expect(out.calls).toEqual([{ name: 'read_file', arguments: '{"path":"b.py"}' }])
    const unknown = '```json\n{"name": "launch", "arguments": {}}\n```'
    expect(parseTextToolCalls(unknown, { tools })).toEqual({ calls: [], text: unknown })
  })

  it('turns fenced Python into execute_code only in Code Mode', () => {
    const text = 'I will count.\n```python\nprint(len(glob("*.py")["paths"]))\n```'
    expect(parseTextToolCalls(text, { tools, codeTool: 'execute_code' }).calls).toEqual([
      { name: 'execute_code', arguments: JSON.stringify({ code: 'print(len(glob("*.py")["paths"]))' }) },
    ])
    expect(parseTextToolCalls(text, { tools }).calls).toEqual([])
  })
})

describe('MarkupHold', () => {
  it('streams plain text and holds everything from a marker on, even one cut across chunks', () => {
    const hold = new MarkupHold()
    const shown = ['Hello ', 'there <tool', '_call>{"name"', ': "x"}</tool_call>']
      .map((c) => hold.push(c))
      .join('')
    expect(shown).toBe('Hello there ')
    expect(hold.end()).toBe('<tool_call>{"name": "x"}</tool_call>')
    const plain = new MarkupHold()
    expect(['a < b', ' and `x`'].map((c) => plain.push(c)).join('') + plain.end()).toBe('a < b and `x`')
  })
})
