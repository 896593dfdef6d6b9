import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/model/types.js'
import { uniqueCallIds } from '../../src/session/tool-call-ids.js'

const call = (id: string, name = 'read_file') => ({ id, name, arguments: '{}' })

describe('uniqueCallIds', () => {
  it('keeps the model’s ids when they are new, and renames one the session already has', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: '', toolCalls: [call('call_0')] },
      { role: 'tool', toolCallId: 'call_0', content: 'done' },
    ]
    let n = 0
    const next = uniqueCallIds([call('call_0', 'edit_file'), call('abc')], history, () => `punie_${n++}`)
    expect(next).toEqual([call('punie_0', 'edit_file'), call('abc')])
  })

  it('renames a repeat within one answer too', () => {
    const next = uniqueCallIds([call('0'), call('0'), call('1')], [], () => 'fresh')
    expect(next.map((c) => c.id)).toEqual(['0', 'fresh', '1'])
  })
})
