// Which format a dataset is in, from the shape of its first lines: the keys a format's lines have and the tags
// its text carries. A line that every candidate reads the same (a chat with no tools) decides nothing.
import { readJsonl } from '../jsonl.js'
import { isRecord } from './shared.js'

export type Sniffed = { format: string } | { ambiguous: string[] } | { unknown: string }

/** The formats one line may be in; undefined when the line says nothing that tells them apart. */
export function formatsOfLine(value: unknown): string[] | undefined {
  if (!isRecord(value)) return undefined
  if (Array.isArray(value.conversations)) return ['sharegpt']
  if (typeof value.text === 'string') return textFormats(value.text)
  if (!Array.isArray(value.messages)) return undefined
  const messages = value.messages.filter(isRecord)
  if (messages.some((m) => m.role === 'human' || m.role === 'gpt')) return ['axolotl']
  const calls = messages.flatMap((m) => (Array.isArray(m.tool_calls) ? m.tool_calls.filter(isRecord) : []))
  const args = calls.map((c) => (isRecord(c.function) ? c.function.arguments : c.arguments))
  if (args.some((a) => typeof a === 'string')) return ['openai']
  if (args.some(isRecord)) return ['mlx', 'axolotl']
  return textFormats(messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n'))
}

function textFormats(text: string): string[] | undefined {
  if (/<function=[^>\n]+>|<tools>\n<function>/.test(text)) return ['qwen3-coder']
  if (/<tool_call>\s*\{|<tools>\n\{/.test(text)) return ['hermes']
  return undefined
}

/** The format of a file from up to `maxLines` of its lines. */
export async function sniffFormat(path: string, maxLines = 1000): Promise<Sniffed> {
  let seen = 0
  let text = false
  for await (const entry of readJsonl(path)) {
    if (!entry.ok) continue
    if (isRecord(entry.value) && typeof entry.value.text === 'string') text = true
    const formats = formatsOfLine(entry.value)
    if (formats) return formats.length === 1 ? { format: formats[0] as string } : { ambiguous: formats }
    if (++seen >= maxLines) break
  }
  if (seen === 0 && !text) return { unknown: 'no JSON line to tell the format by' }
  // Nothing but plain chat: the canonical reader takes such lines as they are, and ChatML text is read as hermes.
  return { format: text ? 'hermes' : 'openai' }
}
