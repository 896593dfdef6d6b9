// Token length of an example, estimated as the session estimates a request (src/session/context-view.ts:
// bytes / 3, and 4 tokens a message): conservative, with no tokenizer to load. Pure.
import type { Example } from './example.js'

const MESSAGE_OVERHEAD = 4

const estimate = (text: string | null | undefined) => (text ? Math.ceil(Buffer.byteLength(text) / 3) : 0)

export function exampleTokens(example: Example): number {
  let n = example.tools?.length ? estimate(JSON.stringify(example.tools)) : 0
  for (const m of example.messages) {
    n += MESSAGE_OVERHEAD + estimate(m.content)
    if (m.role === 'assistant')
      for (const call of m.tool_calls ?? [])
        n += estimate(call.function.name) + estimate(call.function.arguments)
  }
  return n
}
