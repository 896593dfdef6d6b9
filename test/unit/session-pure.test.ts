import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/model/types.js'
import { helpText, parseSlashCommand } from '../../src/session/commands.js'
import { buildModelMessages, NOT_RUN_RESULT } from '../../src/session/model-messages.js'
import { base64Bytes, promptImages, promptToModelText } from '../../src/session/prompt.js'
import { titleFromPrompt } from '../../src/session/title.js'
import { parseArguments } from '../../src/session/tool-call.js'

describe('buildModelMessages', () => {
  it('puts the system prompt first and keeps the history in order', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
    ]
    expect(buildModelMessages('sys', history)).toEqual([{ role: 'system', content: 'sys' }, ...history])
  })

  it('merges back-to-back user messages left by failed turns', () => {
    const out = buildModelMessages('sys', [
      { role: 'user', content: 'first' },
      { role: 'user', content: 'second' },
    ])
    expect(out).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'first\n\nsecond' },
    ])
  })

  it('answers tool calls that never got a result, wherever they are', () => {
    const out = buildModelMessages('sys', [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'x', name: 't', arguments: '{}' },
          { id: 'y', name: 't', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'x', content: 'done' },
      { role: 'user', content: 'next' },
    ])
    expect(out.map((m) => (m.role === 'tool' ? `${m.toolCallId}:${m.content}` : m.role))).toEqual([
      'system',
      'user',
      'assistant',
      'x:done',
      `y:${NOT_RUN_RESULT}`,
      'user',
    ])
  })
})

describe('titles and commands', () => {
  it('titles a session from the first non-empty line, shortened at a word', () => {
    expect(titleFromPrompt('\n\n  Fix   the bug\nin parser')).toBe('Fix the bug')
    const long = titleFromPrompt(
      'Please refactor the authentication middleware so that it supports refresh tokens',
    )
    expect(long?.length).toBeLessThanOrEqual(60)
    expect(long?.endsWith('…')).toBe(true)
    expect(titleFromPrompt('   ')).toBeUndefined()
  })

  it('recognises only known slash commands', () => {
    expect(parseSlashCommand('/model ollama:x')).toEqual({ name: 'model', args: 'ollama:x' })
    expect(parseSlashCommand('  /HELP')).toEqual({ name: 'help', args: '' })
    expect(parseSlashCommand('/usr/bin/env is a path')).toBeUndefined()
    expect(parseSlashCommand('please /clear')).toBeUndefined()
    expect(helpText('local', 'ask')).toContain('/model <model spec>')
  })

  it('renders prompt blocks for the model', () => {
    expect(
      promptToModelText([
        { type: 'text', text: 'hi' },
        { type: 'unsupported', kind: 'audio' },
      ]),
    ).toBe('hi\n\n[An attachment (audio) was left out: it cannot be passed to the model]')
  })

  it('leaves images out of the text when they travel as parts, and names the model when they cannot', () => {
    const blocks = [
      { type: 'text' as const, text: 'see' },
      { type: 'image' as const, mimeType: 'image/png', data: 'AAAA' },
    ]
    expect(promptToModelText(blocks, { images: true })).toBe('see')
    expect(promptImages(blocks)).toEqual([{ mimeType: 'image/png', data: 'AAAA' }])
    expect(promptToModelText(blocks, { model: 'ollama:x' })).toBe(
      'see\n\n[An image (image/png) was left out: the model ollama:x does not take images (list it in imageModels in ~/.punie/config.json if it does)]',
    )
  })

  it('measures base64 without decoding it', () => {
    for (const bytes of [0, 1, 2, 3, 4, 5, 100]) {
      expect(base64Bytes(Buffer.alloc(bytes).toString('base64'))).toBe(bytes)
    }
  })

  it('parses tool arguments, treating an empty string as no arguments', () => {
    expect(parseArguments('')).toEqual({ ok: true, value: {} })
    expect(parseArguments('{"a":1}')).toEqual({ ok: true, value: { a: 1 } })
    expect(parseArguments('{"a":')).toMatchObject({ ok: false })
  })
})
