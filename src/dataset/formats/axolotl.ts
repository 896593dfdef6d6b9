// Axolotl's `chat_template` datasets with their default fields: `messages` of `role`/`content`, `tool_calls`
// with `function.arguments` as an object, `tools` a list of JSON-schema functions, tool results as role `tool`.
// Read back with Axolotl's default role aliases (`human`, `gpt`). Extra keys reach the template unused, so ids,
// weights and Punie's metadata travel unchanged.
import type { DatasetFormat } from './format.js'
import { fromStructured, toStructured } from './structured.js'

export const axolotlFormat: DatasetFormat = {
  name: 'axolotl',
  description:
    'Axolotl chat_template JSONL: messages, tool_calls with object arguments, tools; keeps everything',
  keeps: { ids: true, metadata: true, weight: true, parallelToolCalls: true, textWithCalls: true },
  fromExample: toStructured,
  toExample: (line) => fromStructured(line, { roleAliases: { human: 'user', gpt: 'assistant' } }),
}
