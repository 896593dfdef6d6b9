import { describe, expect, it } from 'vitest'
import { ThinkSplitter } from '../../src/model/think-splitter.js'
import { readReasoning, readUsage, ToolCallAssembler, toWireMessages } from '../../src/model/wire.js'

const splitAll = (chunks: string[]) => {
  const splitter = new ThinkSplitter()
  const parts = [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()]
  const join = (kind: string) =>
    parts
      .filter((p) => p.kind === kind)
      .map((p) => p.text)
      .join('')
  return { text: join('text'), reasoning: join('reasoning') }
}

describe('ThinkSplitter', () => {
  it('separates reasoning from the answer', () => {
    expect(splitAll(['<think>plan</think>answer'])).toEqual({ text: 'answer', reasoning: 'plan' })
  })

  it('handles tags cut at every possible position', () => {
    const input = 'before<think>deep thought</think>after'
    for (let i = 1; i < input.length; i++) {
      expect(splitAll([input.slice(0, i), input.slice(i)])).toEqual({
        text: 'beforeafter',
        reasoning: 'deep thought',
      })
    }
    expect(splitAll([...input])).toEqual({ text: 'beforeafter', reasoning: 'deep thought' })
  })

  it('keeps a lone "<" and unclosed partial tags as text', () => {
    expect(splitAll(['a < b', ' <thi'])).toEqual({ text: 'a < b <thi', reasoning: '' })
  })
})

describe('ToolCallAssembler', () => {
  it('joins names and arguments delivered across deltas, in index order', () => {
    const a = new ToolCallAssembler()
    a.add({ index: 1, id: 'b', function: { name: 'glob', arguments: '' } }, 0)
    a.add({ index: 0, id: 'a', function: { name: 'read_', arguments: '{"pa' } }, 1)
    a.add({ index: 0, function: { name: 'file', arguments: 'th":"x"}' } }, 2)
    a.add({ index: 1, function: { arguments: '{}' } }, 3)
    expect(a.finish(() => 'new')).toEqual([
      { id: 'a', name: 'read_file', arguments: '{"path":"x"}' },
      { id: 'b', name: 'glob', arguments: '{}' },
    ])
  })

  it('invents ids that servers leave out and accepts object arguments', () => {
    const a = new ToolCallAssembler()
    a.add({ function: { name: 'read_file', arguments: { path: 'x' } } }, 0)
    a.add('garbage', 1)
    expect(a.finish(() => 'generated')).toEqual([
      { id: 'generated', name: 'read_file', arguments: '{"path":"x"}' },
    ])
  })
})

describe('wire reading', () => {
  it('reads usage, filling a missing total', () => {
    expect(readUsage({ prompt_tokens: 10, completion_tokens: 5 })).toEqual({
      promptTokens: 10,
      completionTokens: 5,
      totalTokens: 15,
    })
    expect(readUsage(null)).toBeUndefined()
  })

  it('finds reasoning under either field name', () => {
    expect(readReasoning({ reasoning_content: 'a' })).toBe('a')
    expect(readReasoning({ reasoning: 'b' })).toBe('b')
    expect(readReasoning({ content: 'c' })).toBe('')
  })

  it('writes assistant tool calls and tool results in the OpenAI shape', () => {
    expect(
      toWireMessages([
        { role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'read_file', arguments: '{}' }] },
        { role: 'tool', toolCallId: '1', content: 'ok' },
      ]),
    ).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: '1', type: 'function', function: { name: 'read_file', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: '1', content: 'ok' },
    ])
  })

  it('writes a user message with images as text and image_url parts with data URLs', () => {
    expect(
      toWireMessages([{ role: 'user', content: 'see', images: [{ mimeType: 'image/png', data: 'AAAA' }] }]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'see' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ])
    expect(toWireMessages([{ role: 'user', content: 'plain' }])).toEqual([{ role: 'user', content: 'plain' }])
  })
})
