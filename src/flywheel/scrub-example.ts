// Scrubbing a whole example: every string in it (messages, tool-call arguments, tool results, tool
// definitions, metadata). Arguments stay valid JSON: their values are scrubbed after parsing and the text is
// written again only when something changed. A read_file result of a .env file is scrubbed as one. Pure.
import type { Example, Message } from '../dataset/example.js'
import { addFound, type ScrubOptions, type ScrubResult, scrub } from './scrub.js'

export interface ScrubbedExample {
  example: Example
  found: ScrubResult['found']
}

const ENV_FILE = /(?:^|[/\\])\.env(?:\.[\w.-]+)?$/

export function scrubExample(example: Example, options: Pick<ScrubOptions, 'home'> = {}): ScrubbedExample {
  const found: ScrubResult['found'] = {}
  const text = (value: string, envFile = false) => {
    const result = scrub(value, { ...options, envFile })
    addFound(found, result.found)
    return result.text
  }
  const envCalls = new Set<string>()
  for (const m of example.messages)
    if (m.role === 'assistant')
      for (const call of m.tool_calls ?? [])
        if (call.function.name === 'read_file' && ENV_FILE.test(pathArgument(call.function.arguments)))
          envCalls.add(call.id)
  const messages = example.messages.map((m): Message => {
    switch (m.role) {
      case 'tool':
        return { ...m, tool_call_id: m.tool_call_id, content: text(m.content, envCalls.has(m.tool_call_id)) }
      case 'assistant':
        return {
          ...m,
          ...(typeof m.content === 'string' ? { content: text(m.content) } : {}),
          ...(m.tool_calls
            ? {
                tool_calls: m.tool_calls.map((c) => ({
                  ...c,
                  function: { name: text(c.function.name), arguments: jsonText(c.function.arguments, text) },
                })),
              }
            : {}),
        }
      default:
        return { ...m, content: text(m.content) }
    }
  })
  return {
    example: {
      ...example,
      messages,
      ...(example.tools ? { tools: deep(example.tools, text) as Example['tools'] } : {}),
      ...(example.metadata ? { metadata: deep(example.metadata, text) as Example['metadata'] } : {}),
    },
    found,
  }
}

function pathArgument(args: string): string {
  try {
    const path = (JSON.parse(args) as { path?: unknown }).path
    return typeof path === 'string' ? path : ''
  } catch {
    return ''
  }
}

/** JSON text with every string in it scrubbed; text that is not JSON is scrubbed as text. */
function jsonText(args: string, text: (s: string) => string): string {
  let value: unknown
  try {
    value = JSON.parse(args)
  } catch {
    return text(args)
  }
  const scrubbed = deep(value, text)
  return JSON.stringify(scrubbed) === JSON.stringify(value) ? args : JSON.stringify(scrubbed)
}

function deep(value: unknown, text: (s: string) => string): unknown {
  if (typeof value === 'string') return text(value)
  if (Array.isArray(value)) return value.map((v) => deep(v, text))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), deep(v, text)]))
  return value
}

/** Any JSON value (a cassette) with every string in it scrubbed, keys too, and what was found. */
export function scrubStrings<T>(
  value: T,
  options: Pick<ScrubOptions, 'home'> = {},
): { value: T; found: ScrubResult['found'] } {
  const found: ScrubResult['found'] = {}
  const scrubbed = deep(value, (s) => {
    const result = scrub(s, options)
    addFound(found, result.found)
    return result.text
  }) as T
  return { value: scrubbed, found }
}
