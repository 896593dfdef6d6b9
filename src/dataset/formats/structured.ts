// The formats that keep the conversation as structured messages and leave the rendering to the model's chat
// template (mlx-lm, Axolotl chat_template): the canonical messages with each call's `arguments` as an object,
// since the templates iterate over it (`arguments|items`) or pass it to `tojson`. Pure.
import type { Example, Message, ToolCall } from '../example.js'
import {
  argumentsObject,
  argumentsText,
  CallMatcher,
  checked,
  fail,
  isRecord,
  type JsonObject,
  lineMetadata,
} from './shared.js'

/** The canonical example with every call's arguments parsed into an object; everything else as it is. */
export function toStructured(example: Example): JsonObject {
  const messages = example.messages.map((m) =>
    m.role === 'assistant' && m.tool_calls
      ? {
          ...m,
          tool_calls: m.tool_calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: argumentsObject(call) },
          })),
        }
      : m,
  )
  return { ...example, messages }
}

export interface StructuredReading {
  /** Other names a trainer accepts for a role (`human` for `user`). */
  roleAliases?: Record<string, Message['role']>
}

/** A structured line back to the canonical example: arguments to JSON text, missing ids filled in order. */
export function fromStructured(line: unknown, reading: StructuredReading = {}): Example {
  if (!isRecord(line)) fail('a line must be a JSON object')
  if (!Array.isArray(line.messages)) fail('messages: expected a list of messages')
  const matcher = new CallMatcher()
  const messages = line.messages.map((raw, i) => message(raw, i, matcher, reading))
  const candidate: JsonObject = { messages }
  if (line.tools !== undefined) candidate.tools = line.tools
  if (line.parallel_tool_calls !== undefined) candidate.parallel_tool_calls = line.parallel_tool_calls
  const metadata = lineMetadata(line)
  if (metadata) candidate.metadata = metadata
  return checked(candidate)
}

function message(raw: unknown, i: number, matcher: CallMatcher, reading: StructuredReading): JsonObject {
  const where = `messages.${i}`
  if (!isRecord(raw)) fail(`${where}: a message must be an object`)
  const role = typeof raw.role === 'string' ? (reading.roleAliases?.[raw.role] ?? raw.role) : undefined
  const content = text(raw.content, where)
  switch (role) {
    case 'system':
    case 'user':
      return { role, content: content ?? '' }
    case 'tool': {
      const named = typeof raw.tool_call_id === 'string' && raw.tool_call_id ? raw.tool_call_id : undefined
      const id = named ?? matcher.result(where)
      if (named) matcher.next()
      return { role, tool_call_id: id, content: content ?? '' }
    }
    case 'assistant': {
      const out: JsonObject = { role }
      if (content !== undefined) out.content = content
      if (raw.weight !== undefined) out.weight = raw.weight
      if (raw.tool_calls !== undefined) {
        if (!Array.isArray(raw.tool_calls)) fail(`${where}.tool_calls: expected a list`)
        const ids = matcher.calls(i, raw.tool_calls.length)
        out.tool_calls = raw.tool_calls.map((call, k) =>
          toolCall(call, ids[k] as string, `${where}.tool_calls.${k}`),
        )
      } else matcher.calls(i, 0)
      return out
    }
    default:
      return fail(`${where}.role: expected system, user, assistant or tool, got ${JSON.stringify(raw.role)}`)
  }
}

function toolCall(raw: unknown, fallbackId: string, where: string): ToolCall {
  if (!isRecord(raw)) fail(`${where}: a tool call must be an object`)
  // Some datasets put name and arguments at the top of the call rather than under `function`.
  const fn = isRecord(raw.function) ? raw.function : raw
  if (typeof fn.name !== 'string' || !fn.name) fail(`${where}.function.name: expected the tool's name`)
  const id = typeof raw.id === 'string' && raw.id ? raw.id : fallbackId
  return {
    id,
    type: 'function',
    function: { name: fn.name, arguments: argumentsText(fn.arguments, `${where} (${fn.name})`) },
  }
}

/** Message content: a string, null, or a list of text parts (joined); any other part is an error. */
function text(content: unknown, where: string): string | null | undefined {
  if (content === undefined || content === null || typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((part, k) => {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text
        return fail(`${where}.content.${k}: only text parts can be converted`)
      })
      .join('')
  }
  return fail(`${where}.content: expected text`)
}
