import { describe, expect, it } from 'vitest'
import { contributors } from '../../bench/context.js'

describe("the bench's first-request breakdown", () => {
  it('attributes every byte of the body: JSON tools, listed tools, prompt text and the rest', () => {
    const body = {
      model: 'm',
      messages: [
        {
          role: 'system',
          content:
            'You are Punie.\nFunctions:\n- git_log(n?: int): The most recent commits.\n- read_file: Read it. {}',
        },
        { role: 'user', content: 'hi' },
      ],
      tools: [{ type: 'function', function: { name: 'grep', description: 'Search.', parameters: {} } }],
    }
    const bytes = Buffer.byteLength(JSON.stringify(body))
    const parts = contributors({ body, bytes })
    expect(parts.reduce((n, p) => n + p.bytes, 0)).toBe(bytes)
    expect(parts.map((p) => p.name).sort()).toEqual([
      'git_log (listed)',
      'grep (JSON tool)',
      'read_file (text tool)',
      'rest of the request (user prompt, options)',
      'system prompt text',
    ])
    expect(parts.find((p) => p.name === 'git_log (listed)')?.bytes).toBe(
      '- git_log(n?: int): The most recent commits.'.length + 2,
    )
    expect(parts.map((p) => p.bytes)).toEqual([...parts.map((p) => p.bytes)].sort((a, b) => b - a))
  })
})
