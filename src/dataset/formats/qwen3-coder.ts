// Qwen3-Coder's XML tool calling, as its chat template renders it: the tools as <function><name>…<parameters>
// <parameter>… blocks in the system prompt, each call as <tool_call><function=NAME><parameter=ARG>value
// </parameter></function></tool_call>, results as <tool_response> blocks in a user turn. A parameter value that is
// not a string is written as JSON and read back by the tool's schema (a parameter typed string stays text; any
// other is parsed as JSON when it parses). Lines as in hermes: ChatML turns plus metadata; ids not carried.
import type { ToolCall, ToolDefinition } from '../example.js'
import { type ChatmlDialect, fromTurns, readTurns, skipSpace, toTurns } from './chatml.js'
import type { DatasetFormat } from './format.js'
import { argumentsObject, fail, isRecord, type JsonObject, pythonJson } from './shared.js'

const TOOLS_OPEN = '# Tools\n\nYou have access to the following tools:\n\n<tools>'
const TOOLS_CLOSE =
  '\n</tools>\n\nIf you choose to call a tool ONLY reply in the following format with NO suffix:\n\n<tool_call>\n' +
  '<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n' +
  '<parameter=example_parameter_2>\nvalue_2\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n' +
  '- Function calls MUST follow the specified format: the tool calling block MUST begin with an opening ' +
  '<tool_call> tag and end with a closing </tool_call> tag.\n- Required parameters MUST be specified\n' +
  '- You may provide optional reasoning for your function call in natural language BEFORE the function call, ' +
  'but NOT after\n- If there is no function call available, answer the question like normal with your current ' +
  'knowledge and do not tell the user about function calls\n</IMPORTANT>'

/** A value as the template's `| string` writes a scalar and `| tojson` a list or an object. */
function templateValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null) return 'None'
  if (typeof value === 'number') return String(value)
  return pythonJson(value)
}

function readTemplateValue(text: string): unknown {
  if (text === 'True') return true
  if (text === 'False') return false
  if (text === 'None') return null
  if (/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) return Number(text)
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

function extraKeys(fields: JsonObject, handled: readonly string[]): string {
  return Object.entries(fields)
    .filter(([key, value]) => !handled.includes(key) && value !== undefined)
    .map(([key, value]) => `\n<${key}>${templateValue(value)}</${key}>`)
    .join('')
}

const EXTRA = /\n<([^<>\s/]+)>([\s\S]*?)<\/\1>/y

/** `\n<key>value</key>…` from `at` to `end`, into `into`; anything else is an error. */
function readExtraKeys(text: string, at: number, end: number, into: JsonObject, where: string): void {
  while (at < end) {
    EXTRA.lastIndex = at
    const match = EXTRA.exec(text)
    if (!match || EXTRA.lastIndex > end)
      fail(`${where}: unreadable tool schema near ${JSON.stringify(text.slice(at, at + 40))}`)
    into[match[1] as string] = readTemplateValue(match[2] as string)
    at = EXTRA.lastIndex
  }
}

function renderTool(tool: ToolDefinition): string {
  const fn = tool.function
  let out = `\n<function>\n<name>${fn.name}</name>`
  if (fn.description !== undefined) out += `\n<description>${fn.description.trim()}</description>`
  out += '\n<parameters>'
  const parameters = fn.parameters
  const properties = parameters?.properties
  if (isRecord(properties)) {
    for (const [name, raw] of Object.entries(properties)) {
      const field = isRecord(raw) ? raw : {}
      out += `\n<parameter>\n<name>${name}</name>`
      if (field.type !== undefined) out += `\n<type>${templateValue(field.type)}</type>`
      if (typeof field.description === 'string')
        out += `\n<description>${field.description.trim()}</description>`
      out += `${extraKeys(field, ['name', 'type', 'description'])}\n</parameter>`
    }
  }
  if (parameters) out += extraKeys(parameters, ['type', 'properties'])
  out += '\n</parameters>'
  return `${out}${extraKeys(fn, ['type', 'name', 'description', 'parameters'])}\n</function>`
}

function readTools(text: string, where: string): ToolDefinition[] {
  const tools: ToolDefinition[] = []
  let at = 0
  while (text.startsWith('\n<function>\n<name>', at)) {
    const nameStart = at + '\n<function>\n<name>'.length
    const nameEnd = text.indexOf('</name>', nameStart)
    const paramsOpen = text.indexOf('\n<parameters>', nameEnd)
    const paramsClose = text.indexOf('\n</parameters>', paramsOpen)
    const fnClose = text.indexOf('\n</function>', paramsClose)
    if (nameEnd < 0 || paramsOpen < 0 || paramsClose < 0 || fnClose < 0)
      fail(`${where}: tool ${tools.length + 1} in <tools> is cut short`)
    const fn: JsonObject = { name: text.slice(nameStart, nameEnd) }
    const head = text.slice(nameEnd + '</name>'.length, paramsOpen)
    if (head.startsWith('\n<description>') && head.endsWith('</description>'))
      fn.description = head.slice('\n<description>'.length, -'</description>'.length)
    else if (head !== '') fail(`${where}: tool ${fn.name}: unexpected ${JSON.stringify(head.slice(0, 40))}`)
    fn.parameters = readParameters(
      text,
      paramsOpen + '\n<parameters>'.length,
      paramsClose,
      `${where}: tool ${fn.name}`,
    )
    readExtraKeys(text, paramsClose + '\n</parameters>'.length, fnClose, fn, `${where}: tool ${fn.name}`)
    tools.push({ type: 'function', function: fn } as ToolDefinition)
    at = fnClose + '\n</function>'.length
  }
  if (at !== text.length)
    fail(`${where}: unreadable text in <tools>: ${JSON.stringify(text.slice(at, at + 40))}`)
  return tools
}

function readParameters(text: string, at: number, end: number, where: string): JsonObject {
  const properties: JsonObject = {}
  const parameters: JsonObject = { type: 'object', properties }
  while (text.startsWith('\n<parameter>\n<name>', at) && at < end) {
    const nameStart = at + '\n<parameter>\n<name>'.length
    const nameEnd = text.indexOf('</name>', nameStart)
    const close = text.indexOf('\n</parameter>', nameEnd)
    if (nameEnd < 0 || close < 0 || close > end) fail(`${where}: a parameter is cut short`)
    const name = text.slice(nameStart, nameEnd)
    const field: JsonObject = {}
    let p = nameEnd + '</name>'.length
    if (text.startsWith('\n<type>', p)) {
      const typeEnd = text.indexOf('</type>', p)
      field.type = readTemplateValue(text.slice(p + '\n<type>'.length, typeEnd))
      p = typeEnd + '</type>'.length
    }
    if (text.startsWith('\n<description>', p)) {
      const descriptionEnd = text.indexOf('</description>', p)
      field.description = text.slice(p + '\n<description>'.length, descriptionEnd)
      p = descriptionEnd + '</description>'.length
    }
    readExtraKeys(text, p, close, field, `${where}: parameter ${name}`)
    properties[name] = field
    at = close + '\n</parameter>'.length
  }
  readExtraKeys(text, at, end, parameters, where)
  return parameters
}

function renderCall(call: ToolCall): string {
  const args = Object.entries(argumentsObject(call))
    .map(([k, v]) => `<parameter=${k}>\n${typeof v === 'string' ? v : pythonJson(v)}\n</parameter>\n`)
    .join('')
  return `<tool_call>\n<function=${call.function.name}>\n${args}</function>\n</tool_call>`
}

/** A parameter's text as its value: text for a parameter typed string, else JSON where it parses. */
function parameterValue(text: string, schema: unknown): unknown {
  const type = isRecord(schema) ? schema.type : undefined
  const stringTyped =
    type === 'string' || (Array.isArray(type) && type.includes('string') && type.length === 1)
  if (stringTyped) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const FUNCTION = /<tool_call>\s*<function=([^>\n]+)>\n?/y
const PARAMETER = /<parameter=([^>\n]+)>\n?([\s\S]*?)\n?<\/parameter>/y
const CALL_END = /<\/function>\s*<\/tool_call>/y

export const qwen3CoderDialect: ChatmlDialect = {
  systemWithTools(system, tools) {
    const block = `${TOOLS_OPEN}${tools.map(renderTool).join('')}${TOOLS_CLOSE}`
    return system === undefined ? block : `${system}\n\n${block}`
  },

  splitSystem(content) {
    let system: string | undefined
    let rest = content
    if (!content.startsWith(TOOLS_OPEN)) {
      const at = content.lastIndexOf(`\n\n${TOOLS_OPEN}`)
      if (at < 0) return { system: content }
      system = content.slice(0, at)
      rest = content.slice(at + 2)
    }
    const end = rest.lastIndexOf('\n</tools>')
    if (end < 0) fail('messages.0: the system prompt opens <tools> and never closes it')
    const tools = readTools(rest.slice(TOOLS_OPEN.length, end), 'messages.0')
    return system === undefined ? { tools } : { system, tools }
  },

  assistantWithCalls(text, calls) {
    const blocks = calls.map(renderCall).join('\n')
    return text.trim() ? `${text.trim()}\n\n${blocks}` : blocks
  },

  parseAssistant(content, where, tools) {
    const first = content.indexOf('<tool_call>')
    if (first < 0) return undefined
    const text = content.slice(0, first).trim()
    const calls = []
    let at = first
    while (at < content.length) {
      const n = calls.length + 1
      FUNCTION.lastIndex = at
      const fn = FUNCTION.exec(content)
      if (!fn)
        fail(
          `${where}: expected <tool_call><function=NAME> (call ${n}), found ${JSON.stringify(content.slice(at, at + 40))}`,
        )
      const name = (fn[1] as string).trim()
      const properties = tools.find((t) => t.function.name === name)?.function.parameters?.properties
      const args: JsonObject = {}
      at = skipSpace(content, FUNCTION.lastIndex)
      for (;;) {
        PARAMETER.lastIndex = at
        const parameter = PARAMETER.exec(content)
        if (!parameter) break
        const key = (parameter[1] as string).trim()
        args[key] = parameterValue(parameter[2] as string, isRecord(properties) ? properties[key] : undefined)
        at = skipSpace(content, PARAMETER.lastIndex)
      }
      CALL_END.lastIndex = at
      if (!CALL_END.exec(content))
        fail(
          `${where}: call ${n} (${name}) does not end with </function></tool_call>: ${JSON.stringify(content.slice(at, at + 40))}`,
        )
      calls.push({ name, arguments: JSON.stringify(args) })
      at = skipSpace(content, CALL_END.lastIndex)
    }
    return { text, calls }
  },

  toolResponses: (contents) => contents.map((c) => `<tool_response>\n${c}\n</tool_response>\n`).join(''),
}

export const qwen3CoderFormat: DatasetFormat = {
  name: 'qwen3-coder',
  description:
    'Qwen3-Coder ChatML turns: XML tools and <function=…><parameter=…> calls, <tool_response>; keeps metadata, not ids',
  keeps: { ids: false, metadata: true, weight: false, parallelToolCalls: false, textWithCalls: true },
  fromExample: (example) => {
    const line: Record<string, unknown> = { messages: toTurns(example, qwen3CoderDialect) }
    if (example.metadata) line.metadata = example.metadata
    return line
  },
  toExample: (line) => {
    const { turns, metadata } = readTurns(line)
    return fromTurns(turns, qwen3CoderDialect, metadata)
  },
}
