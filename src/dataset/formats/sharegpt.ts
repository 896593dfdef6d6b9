// ShareGPT as LLaMA-Factory reads it (formatting: sharegpt, its default tags): `conversations` of {from, value}
// with from = system | human | gpt | function_call | observation, and `tools` a JSON string of function objects.
// A function_call's value is the JSON of {"name", "arguments"} (a list for several calls in one turn); several
// results in one turn are one observation joined the way LLaMA-Factory's own openai converter joins them.
// Like that converter, it drops assistant text beside calls; ids and weights are not carried; metadata is.
import type { Example, Message, ToolDefinition } from '../example.js'
import type { DatasetFormat } from './format.js'
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

/** LLaMA-Factory's separator between the results of one turn's parallel calls. */
export const OBSERVATION_SEPARATOR = '\n</tool_response>\n<tool_response>\n'

interface Turn {
  from: 'system' | 'human' | 'gpt' | 'function_call' | 'observation'
  value: string
}

function fromExample(example: Example): JsonObject {
  const conversations: Turn[] = []
  const messages = example.messages
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message
    switch (m.role) {
      case 'system':
        if (i !== 0) fail(`messages.${i}: ShareGPT has no system message after the first`)
        conversations.push({ from: 'system', value: m.content })
        break
      case 'user':
        conversations.push({ from: 'human', value: m.content })
        break
      case 'assistant':
        if (m.tool_calls?.length) {
          const calls = m.tool_calls.map((c) => ({ name: c.function.name, arguments: argumentsObject(c) }))
          conversations.push({
            from: 'function_call',
            value: JSON.stringify(calls.length === 1 ? calls[0] : calls),
          })
        } else conversations.push({ from: 'gpt', value: m.content ?? '' })
        break
      case 'tool': {
        const results = [m.content]
        while (messages[i + 1]?.role === 'tool') results.push((messages[++i] as { content: string }).content)
        conversations.push({ from: 'observation', value: results.join(OBSERVATION_SEPARATOR) })
        break
      }
    }
  }
  const line: JsonObject = { conversations }
  if (example.tools?.length) line.tools = JSON.stringify(example.tools.map((t) => t.function))
  if (example.metadata) line.metadata = example.metadata
  return line
}

function toExample(line: unknown): Example {
  if (!isRecord(line)) fail('a line must be a JSON object')
  if (!Array.isArray(line.conversations)) fail('conversations: expected a list of {from, value}')
  const messages: Message[] = []
  const matcher = new CallMatcher()
  let pendingCalls = 0
  if (typeof line.system === 'string' && line.system) messages.push({ role: 'system', content: line.system })
  line.conversations.forEach((turn, t) => {
    const where = `conversations.${t}`
    if (!isRecord(turn)) fail(`${where}: expected {from, value}`)
    if (typeof turn.value !== 'string') fail(`${where}.value: expected text`)
    const value = turn.value
    switch (turn.from) {
      case 'system':
        if (messages.length) fail(`${where}: a system turn must come first`)
        messages.push({ role: 'system', content: value })
        return
      case 'human':
        messages.push({ role: 'user', content: value })
        return
      case 'gpt':
        matcher.calls(messages.length, 0)
        messages.push({ role: 'assistant', content: value })
        return
      case 'function_call': {
        const calls = functionCalls(value, where)
        const ids = matcher.calls(messages.length, calls.length)
        pendingCalls = calls.length
        messages.push({
          role: 'assistant',
          tool_calls: calls.map((c, k) => ({ id: ids[k] as string, type: 'function', function: c })),
        })
        return
      }
      case 'observation': {
        // Split only where the turn before made as many calls as the joined results: a lone result may hold the separator.
        const parts = value.split(OBSERVATION_SEPARATOR)
        const results = pendingCalls > 1 && parts.length === pendingCalls ? parts : [value]
        for (const content of results)
          messages.push({ role: 'tool', tool_call_id: matcher.result(where), content })
        pendingCalls = 0
        return
      }
      default:
        fail(
          `${where}.from: expected system, human, gpt, function_call or observation, got ${JSON.stringify(turn.from)}`,
        )
    }
  })
  const candidate: JsonObject = { messages }
  const tools = toolsOf(line.tools)
  if (tools?.length) candidate.tools = tools
  const metadata = lineMetadata(line)
  if (metadata) candidate.metadata = metadata
  return checked(candidate)
}

function functionCalls(value: string, where: string): { name: string; arguments: string }[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (error) {
    fail(`${where}: a function_call value must be JSON: ${(error as Error).message}`)
  }
  const calls = Array.isArray(parsed) ? parsed : [parsed]
  if (calls.length === 0) fail(`${where}: a function_call with no call in it`)
  return calls.map((call, k) => {
    if (!isRecord(call) || typeof call.name !== 'string' || !call.name)
      fail(`${where}: call ${k + 1} needs a "name"`)
    return {
      name: call.name,
      arguments: argumentsText(call.arguments, `${where}: call ${k + 1} (${call.name})`),
    }
  })
}

/** `tools`: a JSON string (LLaMA-Factory's form) or a list, of function objects or {type, function}. */
function toolsOf(raw: unknown): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined
  let list = raw
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw)
    } catch (error) {
      fail(`tools: not JSON: ${(error as Error).message}`)
    }
  }
  if (!Array.isArray(list)) fail('tools: expected a list of functions')
  return list.map((tool, k) => {
    if (!isRecord(tool)) fail(`tools.${k}: expected a function object`)
    return (isRecord(tool.function) ? tool : { type: 'function', function: tool }) as ToolDefinition
  })
}

export const sharegptFormat: DatasetFormat = {
  name: 'sharegpt',
  description:
    'ShareGPT as LLaMA-Factory reads it: conversations with function_call/observation, tools as a JSON string; keeps metadata',
  keeps: { ids: false, metadata: true, weight: false, parallelToolCalls: false, textWithCalls: false },
  fromExample,
  toExample,
}
