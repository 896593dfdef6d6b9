// Token length of an example, estimated as the session estimates a request (model/token-estimate.ts), with no
// tokenizer to load. Pure.
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from '../model/token-estimate.js'
import type { Example } from './example.js'

const estimate = (text: string | null | undefined) => (text ? estimateTokens(text) : 0)

export function exampleTokens(example: Example): number {
  let n = example.tools?.length ? estimate(JSON.stringify(example.tools)) : 0
  for (const m of example.messages) {
    n += MESSAGE_OVERHEAD_TOKENS + estimate(m.content)
    if (m.role === 'assistant')
      for (const call of m.tool_calls ?? [])
        n += estimate(call.function.name) + estimate(call.function.arguments)
  }
  return n
}
