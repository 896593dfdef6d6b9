// Code Mode examples: the same conversation with each assistant turn's JSON tool calls as one execute_code call
// whose Python calls the tools as functions (the names and keyword arguments Code Mode's stubs declare), its
// results folded into the one execute_code result, as the model sees them in code mode. And back: the tool
// calls a code-form snippet makes, read with the tree-sitter Python grammar, where that is decidable.
import type { Node } from '@vscode/tree-sitter-wasm'
import { createExecuteCode, DEFAULT_CODE_LIMITS, EXECUTE_CODE } from '../codemode/execute-code.js'
import { loadPython, type PythonSyntax } from '../devtools/python-syntax.js'
import { toModelSchema } from '../tools/registry.js'
import type { Example, Message, ToolCall, ToolDefinition } from './example.js'
import { argumentsObject, isRecord } from './formats/shared.js'

/** execute_code as the model is offered it, from the one definition in codemode/. */
export function executeCodeDefinition(): ToolDefinition {
  const tool = createExecuteCode({
    sandbox: () => {
      throw new Error('a dataset never runs code')
    },
    tools: [],
    stubs: { typeCheckPrefix: '', prefixLines: 0 },
    limits: DEFAULT_CODE_LIMITS,
  })
  const schema = toModelSchema(tool)
  return {
    type: 'function',
    function: { name: schema.name, description: schema.description, parameters: schema.parameters },
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
)

function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name)
}

/** A JSON value as a Python literal. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`
  if (isRecord(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`)
      .join(', ')}}`
  return 'None'
}

/** `name(key=value, …)`; a key that is not a Python name goes through `**{…}`. */
export function pythonCall(name: string, args: Record<string, unknown>): string {
  if (!isIdentifier(name))
    throw new Error(`tool ${name}: its name is not a Python identifier, so code cannot call it`)
  const entries = Object.entries(args)
  const named = entries.filter(([k]) => isIdentifier(k)).map(([k, v]) => `${k}=${pythonLiteral(v)}`)
  const other = entries.filter(([k]) => !isIdentifier(k))
  if (other.length) named.push(`**${pythonLiteral(Object.fromEntries(other))}`)
  return `${name}(${named.join(', ')})`
}

/** The snippet for one turn's calls: each result kept in a variable and printed, in order. */
export function codeForCalls(calls: readonly ToolCall[]): string {
  return calls
    .map((call, k) => {
      const variable = calls.length === 1 ? 'result' : `result_${k + 1}`
      return `${variable} = ${pythonCall(call.function.name, argumentsObject(call))}\nprint(${variable})`
    })
    .join('\n')
}

/** What execute_code returns for printed results: the printed text, then the count of calls (its render). */
export function foldedResult(contents: readonly string[], calls: number): string {
  const printed = contents.join('\n')
  return `${printed === '' ? '(no output)' : printed}\n(${calls} tool call${calls === 1 ? '' : 's'})`
}

export interface CodeFormOptions {
  /** Offer the direct tools beside execute_code (Punie's `both` mode); else execute_code alone (`code`). */
  keepTools?: boolean
}

/**
 * The example in code form: each assistant turn with tool calls becomes one execute_code call (its id the
 * first call's), the results of those calls one result. An example already in code form comes back as it is.
 */
export function toCodeForm(example: Example, options: CodeFormOptions = {}): Example {
  const messages: Message[] = []
  const source = example.messages
  for (let i = 0; i < source.length; i++) {
    const m = source[i] as Message
    if (
      m.role !== 'assistant' ||
      !m.tool_calls?.length ||
      m.tool_calls.some((c) => c.function.name === EXECUTE_CODE)
    ) {
      messages.push(m)
      continue
    }
    const calls = m.tool_calls
    const id = (calls[0] as ToolCall).id
    messages.push({
      ...m,
      tool_calls: [
        {
          id,
          type: 'function',
          function: { name: EXECUTE_CODE, arguments: JSON.stringify({ code: codeForCalls(calls) }) },
        },
      ],
    })
    const ids = new Set(calls.map((c) => c.id))
    const results = new Map<string, string>()
    while (
      source[i + 1]?.role === 'tool' &&
      ids.has((source[i + 1] as { tool_call_id: string }).tool_call_id)
    ) {
      const result = source[++i] as { tool_call_id: string; content: string }
      results.set(result.tool_call_id, result.content)
    }
    if (results.size) {
      const contents = calls.flatMap((c) => (results.has(c.id) ? [results.get(c.id) as string] : []))
      messages.push({ role: 'tool', tool_call_id: id, content: foldedResult(contents, calls.length) })
    }
  }
  const executeCode = executeCodeDefinition()
  const direct = (example.tools ?? []).filter((t) => t.function.name !== EXECUTE_CODE)
  const out: Example = {
    ...example,
    messages,
    tools: options.keepTools ? [...direct, executeCode] : [executeCode],
  }
  out.metadata = { ...example.metadata, toolMode: 'code' }
  return out
}

export interface ReadCall {
  name: string
  /** Canonical JSON text. */
  arguments: string
}

export type CallsInCode = { ok: true; calls: ReadCall[] } | { ok: false; reason: string }

export interface CodeReader {
  /** The tool calls `code` makes, in order, when every one is a plain call with literal arguments run once. */
  calls(code: string, tools: readonly ToolDefinition[]): CallsInCode
  /** For each execute_code call of a code-form example, by message index: the tool calls its code makes. */
  exampleCalls(
    example: Example,
    tools: readonly ToolDefinition[],
  ): { message: number; id: string; calls: CallsInCode }[]
}

// A call under any other node may run zero or many times, or with values known only when it runs.
const STRAIGHT_LINE = new Set([
  'module',
  'expression_statement',
  'assignment',
  'augmented_assignment',
  'call',
  'argument_list',
  'keyword_argument',
  'parenthesized_expression',
  'expression_list',
  'pattern_list',
  'tuple',
  'list',
  'subscript',
  'attribute',
])

class Undecidable extends Error {}

export async function loadCodeReader(): Promise<CodeReader> {
  const python = await loadPython()
  const reader: CodeReader = {
    calls: (code, tools) => readCalls(python, code, tools),
    exampleCalls: (example, tools) =>
      example.messages.flatMap((m, message) =>
        m.role === 'assistant'
          ? (m.tool_calls ?? [])
              .filter((c) => c.function.name === EXECUTE_CODE)
              .map((c) => ({ message, id: c.id, calls: callsOfExecuteCode(reader, c, tools) }))
          : [],
      ),
  }
  return reader
}

function callsOfExecuteCode(
  reader: CodeReader,
  call: ToolCall,
  tools: readonly ToolDefinition[],
): CallsInCode {
  let args: unknown
  try {
    args = JSON.parse(call.function.arguments)
  } catch {
    return { ok: false, reason: 'execute_code arguments are not JSON' }
  }
  if (!isRecord(args) || typeof args.code !== 'string')
    return { ok: false, reason: 'execute_code has no code' }
  return reader.calls(args.code, tools)
}

function readCalls(python: PythonSyntax, code: string, tools: readonly ToolDefinition[]): CallsInCode {
  const byName = new Map(tools.map((t) => [t.function.name, t]))
  return python.withTree(code, (root): CallsInCode => {
    if (root.hasError) return { ok: false, reason: 'the code does not parse as Python' }
    const calls: ReadCall[] = []
    try {
      visit(root, (node) => {
        if (node.type !== 'call') return
        const fn = node.childForFieldName('function')
        const tool = fn?.type === 'identifier' ? byName.get(fn.text) : undefined
        if (!tool) return
        for (let up = node.parent; up; up = up.parent)
          if (!STRAIGHT_LINE.has(up.type)) {
            const what = (up.type === 'block' ? (up.parent?.type ?? up.type) : up.type).replace(/_/g, ' ')
            throw new Undecidable(
              `${tool.function.name}() is called inside ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`,
            )
          }
        calls.push({ name: tool.function.name, arguments: JSON.stringify(callArguments(node, tool)) })
      })
    } catch (error) {
      if (error instanceof Undecidable) return { ok: false, reason: error.message }
      throw error
    }
    return { ok: true, calls }
  })
}

function visit(node: Node, see: (node: Node) => void): void {
  see(node)
  for (const child of node.namedChildren) if (child) visit(child, see)
}

/** Python's positional and keyword arguments → the tool's input, by the stub's parameter order (required first). */
function callArguments(call: Node, tool: ToolDefinition): Record<string, unknown> {
  const name = tool.function.name
  const parameters = tool.function.parameters ?? {}
  const properties = isRecord(parameters.properties) ? Object.keys(parameters.properties) : []
  const required = new Set(Array.isArray(parameters.required) ? (parameters.required as string[]) : [])
  const order = [...properties].sort((a, b) => Number(required.has(b)) - Number(required.has(a)))
  const args: Record<string, unknown> = {}
  let position = 0
  const list = call.childForFieldName('arguments')
  for (const arg of list?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue
    if (arg.type === 'keyword_argument') {
      const key = arg.childForFieldName('name')?.text ?? ''
      args[key] = literal(arg.childForFieldName('value'), name)
    } else if (arg.type === 'dictionary_splat') {
      const value = literal(arg.namedChildren[0] ?? null, name)
      if (!isRecord(value)) throw new Undecidable(`${name}(**…) spreads something that is not a dict literal`)
      Object.assign(args, value)
    } else if (arg.type === 'list_splat') throw new Undecidable(`${name}(*…) spreads a list`)
    else {
      const key = order[position++]
      if (key === undefined)
        throw new Undecidable(`${name}() is given more positional arguments than it takes`)
      args[key] = literal(arg, name)
    }
  }
  // As execute_code does: None for an optional parameter means "not given".
  for (const key of Object.keys(args)) if (args[key] === null) delete args[key]
  return args
}

function literal(node: Node | null, tool: string): unknown {
  if (!node) throw new Undecidable(`${tool}() has an argument with no value`)
  switch (node.type) {
    case 'string':
      return stringLiteral(node, tool)
    case 'concatenated_string':
      return node.namedChildren.map((s) => stringLiteral(s as Node, tool)).join('')
    case 'integer':
    case 'float': {
      const value = Number(node.text.replace(/_/g, ''))
      if (!Number.isFinite(value)) throw new Undecidable(`${tool}() is given the number ${node.text}`)
      return value
    }
    case 'true':
      return true
    case 'false':
      return false
    case 'none':
      return null
    case 'unary_operator': {
      const operand = literal(node.childForFieldName('argument'), tool)
      const operator = node.childForFieldName('operator')?.text
      if (typeof operand === 'number' && (operator === '-' || operator === '+'))
        return operator === '-' ? -operand : operand
      break
    }
    case 'parenthesized_expression':
      return literal(node.namedChildren[0] ?? null, tool)
    case 'list':
    case 'tuple':
      return node.namedChildren.map((child) => literal(child, tool))
    case 'dictionary': {
      const out: Record<string, unknown> = {}
      for (const pair of node.namedChildren) {
        if (pair?.type !== 'pair') throw new Undecidable(`${tool}() is given a dict that is not a literal`)
        const key = literal(pair.childForFieldName('key'), tool)
        if (typeof key !== 'string')
          throw new Undecidable(`${tool}() is given a dict with a key that is not text`)
        out[key] = literal(pair.childForFieldName('value'), tool)
      }
      return out
    }
  }
  throw new Undecidable(
    `${tool}() is given ${JSON.stringify(node.text.slice(0, 40))}, a value known only when the code runs`,
  )
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
}

function stringLiteral(node: Node, tool: string): string {
  const open = node.namedChildren.find((c) => c?.type === 'string_start')?.text
  const close = node.namedChildren.find((c) => c?.type === 'string_end')?.text
  if (open === undefined || close === undefined)
    throw new Undecidable(`${tool}() is given an unreadable string`)
  const prefix = open.replace(/['"]/g, '').toLowerCase()
  if (prefix.includes('b') || prefix.includes('f'))
    throw new Undecidable(`${tool}() is given a ${prefix.includes('b') ? 'bytes' : 'formatted'} string`)
  const body = node.text.slice(open.length, node.text.length - close.length)
  return prefix.includes('r') ? body : body.replace(ESCAPE, (sequence) => decodeEscape(sequence, tool))
}

const ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|[\s\S])/g

function decodeEscape(sequence: string, tool: string): string {
  const body = sequence.slice(1)
  if (body in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[body] as string
  if (/^[xuU][0-9a-fA-F]+$/.test(body)) return String.fromCodePoint(Number.parseInt(body.slice(1), 16))
  if (/^[0-7]{1,3}$/.test(body)) return String.fromCodePoint(Number.parseInt(body, 8))
  if (body.startsWith('N{')) throw new Undecidable(`${tool}() is given a string with the escape ${sequence}`)
  // Python keeps an unknown escape as it is written.
  return sequence
}
