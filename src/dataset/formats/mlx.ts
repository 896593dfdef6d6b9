// mlx-lm's chat data with tools, as `mlx_lm.lora` reads it: `{"messages": [...], "tools": [...]}` handed to the
// tokenizer's chat template (`apply_chat_template(messages, tools=tools)`), so a call's arguments are an object.
// Every other key of the line is ignored by mlx-lm, so ids, weights and Punie's metadata travel unchanged.
import type { DatasetFormat } from './format.js'
import { fromStructured, toStructured } from './structured.js'

export const mlxFormat: DatasetFormat = {
  name: 'mlx',
  description:
    'mlx-lm chat JSONL (mlx_lm.lora): messages + tools, call arguments as objects; keeps everything',
  keeps: { ids: true, metadata: true, weight: true, parallelToolCalls: true, textWithCalls: true },
  fromExample: toStructured,
  toExample: (line) => fromStructured(line),
}
