import { describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../helpers/scripted-model.js'
import { useProtocolFixture } from './fixtures.js'

const lastUserText = (request: RecordedRequest) =>
  [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? ''

describe('a conversation over ACP against a scripted model', () => {
  const f = useProtocolFixture()

  it('remembers the first turn when answering the second', async () => {
    const sessionId = await f.session()
    // The scripted model can only know the name if the agent sends the earlier turns back.
    f.model.always((request) => {
      const said = request.body.messages.map((m) => m.content ?? '').join('\n')
      const name = /my name is (\w+)/i.exec(said)?.[1]
      if (/what is my name/i.test(lastUserText(request)))
        return { text: name ? `Your name is ${name}.` : 'I do not know.' }
      return { text: `Nice to meet you, ${name ?? 'stranger'}!` }
    })

    const first = await f.acp.prompt(sessionId, 'Hi, my name is Ada.')
    expect(first.stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId)).toBe('Nice to meet you, Ada!')

    const mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'What is my name?')
    expect(f.acp.agentText(sessionId, mark)).toBe('Your name is Ada.')

    const second = f.model.chatRequests()[1]
    expect(second?.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(second?.body.messages[2]?.content).toBe('Nice to meet you, Ada!')
  })

  it('streams the answer as several message chunks as tokens arrive', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'The quick brown fox jumps over the lazy dog.', chunkSize: 5 })
    await f.acp.prompt(sessionId, 'Say something')
    const chunks = f.acp.updates(sessionId).filter((u) => u.sessionUpdate === 'agent_message_chunk')
    expect(chunks.length).toBeGreaterThanOrEqual(9)
    expect(f.acp.agentText(sessionId)).toBe('The quick brown fox jumps over the lazy dog.')
    expect(f.model.chatRequests()[0]?.body.stream).toBe(true)
    expect(f.model.chatRequests()[0]?.body.temperature).toBe(0)
  })

  it('sends reasoning_content and <think> text as thought chunks, not as the answer', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      { reasoning: 'The user greets me.', text: 'Hello!' },
      { reasoning: 'Field named reasoning.', reasoningField: 'reasoning', text: 'Again.' },
      { text: '<think>Hidden plan</think>Visible answer', chunkSize: 3 },
    )
    const thoughts = (from: number) =>
      f.acp
        .updates(sessionId)
        .slice(from)
        .map((u) =>
          u.sessionUpdate === 'agent_thought_chunk' && u.content.type === 'text' ? u.content.text : '',
        )
        .join('')

    await f.acp.prompt(sessionId, 'hi')
    expect(thoughts(0)).toBe('The user greets me.')
    expect(f.acp.agentText(sessionId)).toBe('Hello!')

    let mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'hi again')
    expect(thoughts(mark)).toBe('Field named reasoning.')

    mark = f.acp.updates(sessionId).length
    await f.acp.prompt(sessionId, 'and again')
    expect(thoughts(mark)).toBe('Hidden plan')
    expect(f.acp.agentText(sessionId, mark)).toBe('Visible answer')
  })

  it('works with a server that does not stream when the config says stream: false', async () => {
    f.writeConfig({ stream: false })
    await f.restart()
    const sessionId = await f.session()
    f.model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'missing.txt' } }] },
      { text: 'Done without streaming.' },
    )
    const result = await f.acp.prompt(sessionId, 'go')
    expect(result.stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId)).toBe('Done without streaming.')
    expect(f.model.chatRequests().map((r) => r.body.stream ?? false)).toEqual([false, false])
  })

  it('puts embedded resources and resource links into the model input', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'ok' })
    await f.acp.prompt(sessionId, [
      { type: 'text', text: 'Explain this file' },
      {
        type: 'resource',
        resource: { uri: 'file:///ws/app.py', text: 'print("hello")', mimeType: 'text/x-python' },
      },
      { type: 'resource_link', uri: 'file:///ws/util.py', name: 'util.py' },
    ])
    const user = lastUserText(f.model.chatRequests()[0] as RecordedRequest)
    expect(user).toContain('Explain this file')
    expect(user).toContain('<context uri="file:///ws/app.py">\nprint("hello")\n</context>')
    expect(user).toContain('util.py (file:///ws/util.py)')
  })

  it('names the session from its first prompt and reports token usage', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'ok', usage: { prompt_tokens: 321, completion_tokens: 9 } })
    await f.acp.prompt(sessionId, 'Refactor the parser module\nso that it streams')
    const updates = f.acp.updates(sessionId)
    expect(updates).toContainEqual(
      expect.objectContaining({ sessionUpdate: 'session_info_update', title: 'Refactor the parser module' }),
    )
    expect(updates).toContainEqual(
      expect.objectContaining({ sessionUpdate: 'usage_update', used: 330, size: 8192 }),
    )
  })

  it('asks exactly once more after an empty answer', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: '' }, { text: 'Second try worked.' })
    await f.acp.prompt(sessionId, 'hello?')
    expect(f.acp.agentText(sessionId)).toBe('Second try worked.')
    expect(f.model.chatRequests()).toHaveLength(2)

    f.model.enqueue({ text: '' }, { text: '' })
    const mark = f.acp.updates(sessionId).length
    const result = await f.acp.prompt(sessionId, 'hello??')
    expect(result.stopReason).toBe('end_turn')
    expect(f.acp.agentText(sessionId, mark)).toContain('empty answer')
    expect(f.model.chatRequests()).toHaveLength(4)
  })

  it('stops with max_tokens when the model runs out of output tokens', async () => {
    const sessionId = await f.session()
    f.model.enqueue({ text: 'This answer was cut', finishReason: 'length' })
    const result = await f.acp.prompt(sessionId, 'write a lot')
    expect(result.stopReason).toBe('max_tokens')
    expect(f.model.chatRequests()[0]?.body.max_tokens).toBe(8192)
  })
})
