// Hermes / Qwen2.5 function calling, as Qwen2.5's chat template renders it: the tools as JSON lines inside
// <tools></tools> in the system prompt, each call as <tool_call>{"name": …, "arguments": {…}}</tool_call> in the
// assistant's text, results as <tool_response> blocks in a user turn. A line is `{"messages": [...]}` of
// system/user/assistant turns (or `{"text": "<|im_start|>…"}`), plus Punie's `metadata`. Ids and weights are
// not carried: calls come back as call_<message>_<index>, results matched to calls by order.
import type { ToolCall, ToolDefinition } from '../example.js'
import { type ChatmlDialect, fromTurns, readTurns, skipSpace, toTurns } from './chatml.js'
import type { DatasetFormat } from './format.js'
import { argumentsObject, argumentsText, fail, isRecord, pythonJson } from './shared.js'

const TOOLS_HEADING = '# Tools\n\nYou may call one or more functions to assist with the user query.'
const TOOLS_OPEN = `${TOOLS_HEADING}\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n`
const TOOLS_CLOSE =
  '\n</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
  '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'

export const hermesDialect: ChatmlDialect = {
  systemWithTools(system, tools) {
    const block = `${TOOLS_OPEN}${tools.map((t) => pythonJson(t)).join('\n')}${TOOLS_CLOSE}`
    return system === undefined ? block : `${system}\n\n${block}`
  },

  splitSystem(content) {
    let system: string | undefined
    let rest: string
    if (content.startsWith(TOOLS_OPEN)) rest = content
    else {
      const at = content.lastIndexOf(`\n\n${TOOLS_OPEN}`)
      if (at < 0) return { system: content }
      system = content.slice(0, at)
      rest = content.slice(at + 2)
    }
    const end = rest.indexOf('\n</tools>')
    if (end < 0) fail('messages.0: the system prompt opens <tools> and never closes it')
    const tools = rest
      .slice(TOOLS_OPEN.length, end)
      .split('\n')
      .filter((l) => l.trim())
      .map((l, k) => toolDefinition(l, k))
    return system === undefined ? { tools } : { system, tools }
  },

  assistantWithCalls(text, calls) {
    const blocks = calls.map((c) => `<tool_call>\n${callJson(c)}\n</tool_call>`).join('\n')
    return text ? `${text}\n${blocks}` : blocks
  },

  parseAssistant(content, where) {
    const first = content.indexOf('<tool_call>')
    if (first < 0) return undefined
    const text = content.slice(0, first).replace(/\n$/, '')
    const calls = []
    let at = first
    while (at < content.length) {
      if (!content.startsWith('<tool_call>', at))
        fail(`${where}: text after the tool calls: ${JSON.stringify(content.slice(at, at + 40))}`)
      const end = content.indexOf('</tool_call>', at)
      if (end < 0) fail(`${where}: <tool_call> ${calls.length + 1} is never closed`)
      const inner = content.slice(at + '<tool_call>'.length, end).trim()
      let call: unknown
      try {
        call = JSON.parse(inner)
      } catch (error) {
        fail(`${where}: <tool_call> ${calls.length + 1} is not JSON: ${(error as Error).message}`)
      }
      if (!isRecord(call) || typeof call.name !== 'string' || !call.name)
        fail(`${where}: <tool_call> ${calls.length + 1} has no "name"`)
      calls.push({
        name: call.name,
        arguments: argumentsText(call.arguments, `${where}: <tool_call> ${calls.length + 1} (${call.name})`),
      })
      at = skipSpace(content, end + '</tool_call>'.length)
    }
    return { text, calls }
  },

  toolResponses: (contents) => contents.map((c) => `<tool_response>\n${c}\n</tool_response>`).join('\n'),
}

function callJson(call: ToolCall): string {
  return `{"name": ${JSON.stringify(call.function.name)}, "arguments": ${pythonJson(argumentsObject(call))}}`
}

function toolDefinition(line: string, k: number): ToolDefinition {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    fail(`messages.0: tool ${k + 1} inside <tools> is not JSON: ${(error as Error).message}`)
  }
  if (!isRecord(value)) fail(`messages.0: tool ${k + 1} inside <tools> is not an object`)
  // The template takes bare function objects as well as {"type": "function", "function": …}.
  return (isRecord(value.function) ? value : { type: 'function', function: value }) as ToolDefinition
}

export const hermesFormat: DatasetFormat = {
  name: 'hermes',
  description:
    'Hermes / Qwen2.5 ChatML turns: <tools> in the system prompt, <tool_call> JSON, <tool_response>; keeps metadata, not ids',
  keeps: { ids: false, metadata: true, weight: false, parallelToolCalls: false, textWithCalls: true },
  fromExample: (example) => {
    const line: Record<string, unknown> = { messages: toTurns(example, hermesDialect) }
    if (example.metadata) line.metadata = example.metadata
    return line
  },
  toExample: (line) => {
    const { turns, metadata } = readTurns(line)
    return fromTurns(turns, hermesDialect, metadata)
  },
}
