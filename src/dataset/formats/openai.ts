// The canonical form itself: OpenAI chat fine-tuning JSONL (messages, tools, parallel_tool_calls), with
// Punie's metadata kept.
import { exampleSchema } from '../example.js'
import type { DatasetFormat } from './format.js'

export const openaiFormat: DatasetFormat = {
  name: 'openai',
  description: 'OpenAI chat fine-tuning JSONL: messages with tool_calls, and tools (the canonical form)',
  keeps: { ids: true, metadata: true, weight: true, parallelToolCalls: true, textWithCalls: true },
  fromExample: (example) => example,
  toExample: (line) => {
    const parsed = exampleSchema.safeParse(line)
    if (parsed.success) return parsed.data
    throw new Error(
      parsed.error.issues
        .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
        .join('; '),
    )
  },
}
