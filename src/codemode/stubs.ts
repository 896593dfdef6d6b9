// Python stubs for the tools, generated from their schemas. The complete stubs (signatures, TypedDict result
// shapes) type-check the model's code and answer tool_help; the prompt gets only one compact line per tool.
import { z } from 'zod'
import type { Tool } from '../tools/define.js'
import { inputJsonSchema } from '../tools/registry.js'

type JsonSchema = Record<string, unknown>

export interface ToolStubs {
  /** Prepended to the code when type-checking; never executed. */
  typeCheckPrefix: string
  /** Number of lines in the prefix, to map diagnostics back to the model's code. */
  prefixLines: number
}

export function toolStubs(tools: readonly Tool[]): ToolStubs {
  const shapes: string[] = []
  const functions = tools.map((tool) => functionStub(tool, shapes))
  // The sandbox raises these, but its type checker does not know them by default.
  const header = [
    'from typing import Any, Literal, NotRequired, TypedDict',
    'class FileNotFoundError(OSError): ...',
    'class PermissionError(OSError): ...',
  ].join('\n')
  const typeCheckPrefix = `${[header, ...shapes, ...functions.map((f) => `${f}\n    raise NotImplementedError()`)].join('\n\n')}\n`
  // The checker joins prefix and code with one more newline, so code line 1 is the prefix's line count + 1.
  return { typeCheckPrefix, prefixLines: typeCheckPrefix.split('\n').length }
}

/** One tool's whole stub, as tool_help shows it: its result shapes, its signature and its full description. */
export function helpStub(tool: Tool): string {
  const shapes: string[] = []
  const fn = functionStub(tool, shapes, tool.description.replace(/\s+/g, ' ').trim())
  return [...shapes, fn].join('\n\n')
}

/** The compact line the prompt lists a tool with: name, parameters (`name?` optional) and the one-line doc. */
export function signatureLine(tool: Tool): string {
  const input = inputJsonSchema(tool)
  const properties = (input.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((input.required ?? []) as string[])
  const params = parameterOrder(tool).map((name) => {
    const type = compactType(properties[name] ?? {})
    return required.has(name) ? `${name}: ${type}` : `${name}?: ${type}`
  })
  if (hasUnnamedParameters(tool)) params.push('**kwargs')
  return `${tool.name}(${params.join(', ')}): ${capped(oneLineDoc(tool.description))}`
}

/** An IDE's or MCP server's first sentence may run on for paragraphs; the listing keeps one line of it. */
const MAX_DOC_CHARS = 200

function capped(doc: string): string {
  if (doc.length <= MAX_DOC_CHARS) return doc
  const cut = doc.slice(0, MAX_DOC_CHARS)
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}… (tool_help has the rest)`
}

function functionStub(tool: Tool, shapes: string[], doc = oneLineDoc(tool.description)): string {
  const input = inputJsonSchema(tool)
  const properties = (input.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((input.required ?? []) as string[])
  const base = pascal(tool.name)
  const params = parameterOrder(tool)
    .map((name) => [name, properties[name] as JsonSchema] as const)
    .map(([name, schema]) => {
      const type = pythonType(schema, `${base}${pascal(name)}`, shapes)
      return required.has(name) ? `${name}: ${type}` : `${name}: ${type} | None = None`
    })
  if (hasUnnamedParameters(tool)) params.push('**kwargs: Any')
  const output = tool.outputModelSchema
    ? pythonType(tool.outputModelSchema, `${base}Result`, shapes)
    : tool.modelSchema
      ? 'Any'
      : pythonType(outputSchema(tool), `${base}Result`, shapes)
  return `def ${tool.name}(${params.join(', ')}) -> ${output}:\n    """${doc.replaceAll('"""', "'''")}"""`
}

/**
 * Parameter names in the order the stub declares them: required ones first, as Python demands. A name Python
 * cannot spell as a parameter (an MCP server's `from` or `file-path`) is left to `**kwargs`.
 */
export function parameterOrder(tool: Tool): string[] {
  const input = inputJsonSchema(tool)
  const required = new Set((input.required ?? []) as string[])
  return Object.keys((input.properties ?? {}) as Record<string, unknown>)
    .filter(isPythonName)
    .sort((a, b) => Number(required.has(b)) - Number(required.has(a)))
}

function hasUnnamedParameters(tool: Tool): boolean {
  const properties = (inputJsonSchema(tool).properties ?? {}) as Record<string, unknown>
  return Object.keys(properties).some((name) => !isPythonName(name))
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
)

export function isPythonName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name)
}

function outputSchema(tool: Tool): JsonSchema {
  try {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.output, {
      io: 'output',
      unrepresentable: 'any',
    }) as JsonSchema
    return schema
  } catch {
    return {}
  }
}

/** A Python annotation for a JSON schema; objects with properties become named TypedDicts in `shapes`. */
export function pythonType(schema: JsonSchema, name: string, shapes: string[]): string {
  if (Array.isArray(schema.enum)) return `Literal[${schema.enum.map((v) => JSON.stringify(v)).join(', ')}]`
  if ('const' in schema) return `Literal[${JSON.stringify(schema.const)}]`
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined
  if (union) return [...new Set(union.map((s, i) => pythonType(s, `${name}${i}`, shapes)))].join(' | ')
  const type = schema.type
  if (Array.isArray(type))
    return type.map((t) => pythonType({ ...schema, type: t }, name, shapes)).join(' | ')
  switch (type) {
    case 'string':
      return 'str'
    case 'integer':
      return 'int'
    case 'number':
      return 'float'
    case 'boolean':
      return 'bool'
    case 'null':
      return 'None'
    case 'array':
      return `list[${schema.items ? pythonType(schema.items as JsonSchema, `${name}Item`, shapes) : 'Any'}]`
    case 'object': {
      const properties = schema.properties as Record<string, JsonSchema> | undefined
      // A key Python cannot spell as a field leaves the shape a plain dict.
      if (!properties || Object.keys(properties).length === 0 || !Object.keys(properties).every(isPythonName))
        return 'dict[str, Any]'
      const required = new Set((schema.required ?? []) as string[])
      const fields = Object.entries(properties).map(([key, value]) => {
        const fieldType = pythonType(value, `${name}${pascal(key)}`, shapes)
        return `    ${key}: ${required.has(key) ? fieldType : `NotRequired[${fieldType}]`}`
      })
      shapes.push(`class ${name}(TypedDict):\n${fields.join('\n')}`)
      return name
    }
    default:
      return 'Any'
  }
}

function pascal(name: string): string {
  return name
    .split(/[_\-\s]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('')
}

/** A short annotation for the prompt's listing: objects are just `dict`, their fields are tool_help's business. */
function compactType(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return `Literal[${schema.enum.map((v) => JSON.stringify(v)).join(', ')}]`
  if ('const' in schema) return JSON.stringify(schema.const)
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined
  if (union) return [...new Set(union.map(compactType))].join(' | ')
  if (Array.isArray(schema.type))
    return schema.type.map((t) => compactType({ ...schema, type: t })).join(' | ')
  if (schema.type === 'array')
    return `list[${schema.items ? compactType(schema.items as JsonSchema) : 'Any'}]`
  if (schema.type === 'object') return 'dict'
  return pythonType(schema, 'Unused', [])
}

const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|incl|approx)\.$/i
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}', '`': '`', '"': '"' }

/**
 * The first sentence of a description: up to the first `.`, `!` or `?` outside brackets, quotes and
 * backticks that is followed by whitespace or the end and does not close an abbreviation (`e.g.`). So a period
 * inside a word (`a.py`, `.gitignore`, `1.5`) never ends it. A description with no such end is kept whole.
 */
export function oneLineDoc(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const open: string[] = []
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i] as string
    const expected = open[open.length - 1]
    const literal = expected === '`' || expected === '"'
    if (c === expected) open.pop()
    else if (CLOSER[c] && !literal) open.push(CLOSER[c] as string)
    else if (open.length === 0 && (c === '.' || c === '!' || c === '?')) {
      const next = flat[i + 1]
      if (next !== undefined && next !== ' ') continue
      if (c === '.' && ABBREVIATION.test(flat.slice(0, i + 1))) continue
      return flat.slice(0, i + 1)
    }
  }
  return flat
}
