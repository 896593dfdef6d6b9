// Models without native tool calling write their calls into the answer; Punie parses them out.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'
import { setMode } from './tool-harness.js'

const toolResult = (messages: { role: string; content: string | null }[]) =>
  [...messages].reverse().find((m) => m.role === 'tool' || m.content?.startsWith('<tool_response>'))
    ?.content ?? ''

describe('tool calls written as text, with the default auto format', () => {
  const f = useProtocolFixture()

  it('runs a <tool_call> the model wrote and hides the markup from the user', async () => {
    writeFileSync(join(f.workspace, 'a.py'), 'print("a")\n')
    const sessionId = await f.session()
    f.model.enqueue(
      {
        text: 'Let me read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>',
        chunkSize: 5,
      },
      (r) => ({ text: `It contains: ${toolResult(r.body.messages)}` }),
    )
    await f.acp.prompt(sessionId, 'what is in a.py?')
    const shown = f.acp.agentText(sessionId)
    expect(shown).toContain('Let me read it.')
    expect(shown).not.toContain('<tool_call>')
    expect(shown).toContain('It contains: print("a")')
  })

  it('runs a Qwen3-Coder call whose opening tag is missing', async () => {
    writeFileSync(join(f.workspace, 'b.txt'), 'bee')
    const sessionId = await f.session()
    f.model.enqueue(
      {
        text: '<function=read_file>\n<parameter=path>\nb.txt\n</parameter>\n</function>\n</tool_call>',
        chunkSize: 7,
      },
      (r) => ({ text: `Got ${toolResult(r.body.messages)}` }),
    )
    await f.acp.prompt(sessionId, 'read b')
    expect(f.acp.agentText(sessionId)).toBe('Got bee')
  })

  it('shows ordinary code blocks and never runs them', async () => {
    const sessionId = await f.session()
    const answer = 'Here is a function:\n```python\ndef add(a, b):\n    return a + b\n```\nUse it well.'
    f.model.enqueue({ text: answer, chunkSize: 6 })
    await f.acp.prompt(sessionId, 'write add')
    expect(f.acp.agentText(sessionId)).toBe(answer)
    expect(f.model.chatRequests()).toHaveLength(1)
  })
})

describe('tool calls written as text, with --tool-format text', () => {
  const f = useProtocolFixture()

  it('describes the tools in the prompt instead of sending them, and keeps the history in text form', async () => {
    f.writeConfig({ toolFormat: 'text' })
    await f.restart()
    writeFileSync(join(f.workspace, 'c.py'), 'x = 1\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    f.model.enqueue(
      { text: '```json\n{"name": "read_file", "arguments": {"path": "c.py"}}\n```' },
      { text: 'Done.' },
    )
    await f.acp.prompt(sessionId, 'read c.py')
    const [first, second] = f.model.chatRequests()
    expect(first?.body.tools).toBeUndefined()
    expect(first?.body.messages[0]?.content).toContain('<tool_call>')
    expect(first?.body.messages[0]?.content).toContain('- read_file:')
    expect(second?.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(second?.body.messages[2]?.content).toContain(
      '<tool_call>\n{"name":"read_file","arguments":{"path":"c.py"}}',
    )
    expect(second?.body.messages[3]?.content).toBe('<tool_response>\nx = 1\n\n</tool_response>')
  })

  it('gives schemas only for the core tools, lists the rest once, and runs a listed tool written by name', async () => {
    f.writeConfig({ toolFormat: 'text', mode: 'yolo' })
    await f.restart()
    writeFileSync(join(f.workspace, 'e.py'), 'z = 3\n')
    const sessionId = await f.session()
    f.model.enqueue({ text: '<tool_call>\n{"name": "list_dir", "arguments": {}}\n</tool_call>' }, (r) => ({
      text: `Seen: ${toolResult(r.body.messages)}`,
    }))
    await f.acp.prompt(sessionId, 'what is here?')
    const system = f.model.chatRequests()[0]?.body.messages[0]?.content ?? ''
    expect(system).toContain('- read_file: Read a text file')
    expect(system).toContain('- list_dir(path?: str): List a directory')
    expect(system).not.toContain('- list_dir: ')
    expect(system).not.toContain('9007199254740991')
    expect(f.acp.agentText(sessionId)).toContain('e.py')
  })

  it('runs fenced Python as execute_code in Code Mode', async () => {
    f.writeConfig({ toolFormat: 'text', toolMode: 'code', mode: 'yolo' })
    await f.restart()
    writeFileSync(join(f.workspace, 'd.py'), 'y = 2\n')
    const sessionId = await f.session()
    f.model.enqueue({ text: 'Counting.\n```python\nprint(len(glob("*.py")["paths"]))\n```' }, (r) => ({
      text: `Result: ${toolResult(r.body.messages)}`,
    }))
    await f.acp.prompt(sessionId, 'how many python files?')
    expect(f.acp.agentText(sessionId)).toMatch(/^Counting\.\nResult: <tool_response>\n1\n\(1 tool call\)/)
  })
})
