// What the format converters share: argument text ⇄ objects (with errors that name the call), JSON written the
// way Python's json.dumps (and so the chat templates' `tojson`) writes it, deterministic tool-call ids for formats
// that carry none, and the normal form round-trip equality is judged on. Pure.
import { type Example, type ExampleMetadata, exampleSchema, type Message, type ToolCall } from '../example.js'

export type JsonObject = Record<string, unknown>

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What of a canonical example a format carries through a round trip; the docs list the same. */
export interface FormatKeeps {
  /** Tool-call ids (else they come back as `call_<message>_<index>`, results matched to calls by order). */
  ids: boolean
  metadata: boolean
  /** The assistant messages' `weight`. */
  weight: boolean
  parallelToolCalls: boolean
  /** Assistant text in the same message as tool calls. */
  textWithCalls: boolean
}

/** A call's arguments as an object, for formats that carry objects; invalid JSON is an error naming the call. */
export function argumentsObject(call: ToolCall): JsonObject {
  let value: unknown
  try {
    value = JSON.parse(call.function.arguments)
  } catch (error) {
    throw new Error(
      `tool call ${call.id} (${call.function.name}): arguments are not JSON: ${(error as Error).message}`,
    )
  }
  if (!isRecord(value))
    throw new Error(`tool call ${call.id} (${call.function.name}): arguments are not a JSON object`)
  return value
}

/** A format's arguments (an object, or already JSON text) as the canonical JSON text. */
export function argumentsText(value: unknown, where: string): string {
  if (typeof value === 'string') {
    try {
      if (isRecord(JSON.parse(value))) return value
    } catch {
      // reported below
    }
    throw new Error(`${where}: arguments are text that is not a JSON object`)
  }
  if (isRecord(value)) return JSON.stringify(value)
  if (value === undefined) return '{}'
  throw new Error(`${where}: arguments must be an object`)
}

/** JSON as Python's `json.dumps(value, ensure_ascii=False)` writes it: `, ` and `: ` between items. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (isRecord(value))
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`
  return JSON.stringify(value) ?? 'null'
}

export function callId(messageIndex: number, index: number): string {
  return `call_${messageIndex}_${index}`
}

export function fail(message: string): never {
  throw new Error(message)
}

/** The optional `metadata` field of a line, checked to be an object. */
export function lineMetadata(line: JsonObject): ExampleMetadata | undefined {
  if (line.metadata === undefined) return undefined
  if (!isRecord(line.metadata)) fail('metadata must be an object')
  return line.metadata as ExampleMetadata
}

/**
 * The example with every tool-call id renamed to `call_<message>_<index>` and each result pointed at the renamed
 * call: the form in which a format that cannot carry ids is compared. A result whose id names no call keeps it.
 */
export function normaliseIds(example: Example): Example {
  const renamed = new Map<string, string>()
  const messages = example.messages.map((m, i): Message => {
    if (m.role === 'assistant' && m.tool_calls) {
      return {
        ...m,
        tool_calls: m.tool_calls.map((call, k) => {
          const id = callId(i, k)
          renamed.set(call.id, id)
          return { ...call, id }
        }),
      }
    }
    if (m.role === 'tool') return { ...m, tool_call_id: renamed.get(m.tool_call_id) ?? m.tool_call_id }
    return m
  })
  return { ...example, messages }
}

/**
 * The part of an example a format with these `keeps` must bring back unchanged: messages (arguments compared
 * as JSON values, assistant text beside calls and empty content as the format keeps them) and tools, plus
 * metadata, weights and parallel_tool_calls where kept.
 */
export function roundTripForm(example: Example, keeps: FormatKeeps): Example {
  const base = keeps.ids ? example : normaliseIds(example)
  const messages = base.messages.map((m): Message => {
    if (m.role !== 'assistant') return m
    const calls = m.tool_calls?.length ? m.tool_calls : undefined
    const text = calls && !keeps.textWithCalls ? '' : (m.content ?? '')
    const out: Message = { role: 'assistant' }
    if (text !== '' || !calls) out.content = text
    if (calls)
      out.tool_calls = calls.map((c) => ({
        ...c,
        function: { name: c.function.name, arguments: JSON.stringify(JSON.parse(c.function.arguments)) },
      }))
    if (keeps.weight && m.weight !== undefined) out.weight = m.weight
    return out
  })
  const out: Example = { messages }
  if (base.tools?.length) out.tools = base.tools
  if (keeps.parallelToolCalls && base.parallel_tool_calls !== undefined)
    out.parallel_tool_calls = base.parallel_tool_calls
  if (keeps.metadata && base.metadata) out.metadata = base.metadata
  return out
}

/**
 * Ids for a conversation read from a format without them: each call gets `call_<message>_<index>`, and each
 * tool result the id of the next unanswered call of the assistant message before it, in order.
 */
export class CallMatcher {
  private pending: string[] = []

  /** Registers an assistant message's calls (at `messageIndex` of the canonical list) and returns their ids. */
  calls(messageIndex: number, count: number): string[] {
    const ids = Array.from({ length: count }, (_, k) => callId(messageIndex, k))
    this.pending = [...ids]
    return ids
  }

  /** The id the next tool result answers; an error when no call is left to answer. */
  result(where: string): string {
    const id = this.next()
    if (id === undefined) fail(`${where}: a tool result with no tool call before it to answer`)
    return id
  }

  /** The next unanswered call's id, if any: for a result that names its call itself. */
  next(): string | undefined {
    return this.pending.shift()
  }
}

/** The candidate checked against the canonical schema, with every problem in one message. */
export function checked(candidate: unknown): Example {
  const parsed = exampleSchema.safeParse(candidate)
  if (parsed.success) return parsed.data
  return fail(
    parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; '),
  )
}
