// Python stubs for the tools, generated from their schemas: signatures with type hints, one-line docstrings and
// TypedDict result shapes. The same text type-checks the model's code and explains the functions in the prompt.
import { z } from 'zod'
import type { Tool } from '../tools/define.js'
import { inputJsonSchema } from '../tools/registry.js'

type JsonSchema = Record<string, unknown>

export interface ToolStubs {
  /** Prepended to the code when type-checking; never executed. */
  typeCheckPrefix: string
  /** Number of lines in the prefix, to map diagnostics back to the model's code. */
  prefixLines: number
  /** The functions as the system prompt shows them. */
  promptText: string
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
  const promptText = [...shapes, ...functions].join('\n\n')
  // The checker joins prefix and code with one more newline, so code line 1 is the prefix's line count + 1.
  return { typeCheckPrefix, prefixLines: typeCheckPrefix.split('\n').length, promptText }
}

function functionStub(tool: Tool, shapes: string[]): string {
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
  const output = tool.modelSchema ? 'Any' : pythonType(outputSchema(tool), `${base}Result`, shapes)
  const doc = firstSentence(tool.description)
  return `def ${tool.name}(${params.join(', ')}) -> ${output}:\n    """${doc.replaceAll('"""', "'''")}"""`
}

/** Parameter names in the order the stub declares them: required ones first, as Python demands. */
export function parameterOrder(tool: Tool): string[] {
  const input = inputJsonSchema(tool)
  const required = new Set((input.required ?? []) as string[])
  return Object.keys((input.properties ?? {}) as Record<string, unknown>).sort(
    (a, b) => Number(required.has(b)) - Number(required.has(a)),
  )
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
      if (!properties || Object.keys(properties).length === 0) return 'dict[str, Any]'
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

function firstSentence(text: string): string {
  const sentence = /^[^.!?]*[.!?]/.exec(text)?.[0] ?? text
  return sentence.replace(/\s+/g, ' ').trim()
}
