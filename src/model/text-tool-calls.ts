// Tool calls written into the answer text by models without native tool calling: <tool_call>{json}</tool_call>,
// Qwen3-Coder's <function=NAME><parameter=K>V</parameter></function> (even without the opening tag), fenced JSON
// {"name", "arguments"}, and, in Code Mode, fenced Python. Pure.

export const TOOL_FORMATS = ['auto', 'native', 'text'] as const
export type ToolFormat = (typeof TOOL_FORMATS)[number]

export interface TextToolCall {
  name: string
  /** JSON text, as a native call would carry it. */
  arguments: string
}

export interface ParseOptions {
  /** Tools the model may call, with their JSON schemas (to keep string parameters as strings). */
  tools: ReadonlyMap<string, Record<string, unknown>>
  /** Fenced Python becomes a call of this tool (execute_code), when set. */
  codeTool?: string
}

const MARKERS = ['<tool_call>', '<function=', '```']

/** Holds back streamed text from the first possible tool-call markup, so parsed calls never reach the user. */
export class MarkupHold {
  private held = ''
  private holding = false

  push(chunk: string): string {
    if (this.holding) {
      this.held += chunk
      return ''
    }
    const text = this.held + chunk
    const at = firstMarker(text)
    if (at >= 0) {
      this.holding = true
      this.held = text.slice(at)
      return text.slice(0, at)
    }
    const keep = partialMarkerSuffix(text)
    this.held = text.slice(text.length - keep)
    return text.slice(0, text.length - keep)
  }

  /** Everything held back, for parsing once the answer is complete. */
  end(): string {
    const held = this.held
    this.held = ''
    this.holding = false
    return held
  }
}

export function parseTextToolCalls(
  text: string,
  options: ParseOptions,
): { calls: TextToolCall[]; text: string } {
  const calls: TextToolCall[] = []
  let rest = text

  rest = rest.replace(/<tool_call>\s*(\{[\s\S]*?\})\s*<\/tool_call>/g, (whole, json: string) => {
    const call = jsonCall(json, options)
    if (!call) return whole
    calls.push(call)
    return ''
  })
  rest = rest.replace(
    /(?:<tool_call>\s*)?<function=([\w.-]+)>([\s\S]*?)<\/function>\s*(?:<\/tool_call>)?/g,
    (whole, name: string, body: string) => {
      const schema = options.tools.get(name)
      if (!schema) return whole
      calls.push({ name, arguments: JSON.stringify(xmlParameters(body, schema)) })
      return ''
    },
  )
  rest = rest.replace(
    /```(json|tool_call)?\s*\n(\{[\s\S]*?\})\s*\n```/g,
    (whole, _lang: string, json: string) => {
      const call = jsonCall(json, options)
      if (!call) return whole
      calls.push(call)
      return ''
    },
  )
  const codeTool = options.codeTool
  if (codeTool && calls.length === 0) {
    rest = rest.replace(/```(?:python|py)\s*\n([\s\S]*?)\n```/, (_whole, code: string) => {
      calls.push({ name: codeTool, arguments: JSON.stringify({ code }) })
      return ''
    })
  }
  return { calls, text: calls.length ? rest.replace(/\n{3,}/g, '\n\n').trim() : text }
}

function jsonCall(json: string, options: ParseOptions): TextToolCall | undefined {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  const v = value as { name?: unknown; arguments?: unknown; parameters?: unknown }
  if (typeof v?.name !== 'string' || !options.tools.has(v.name)) return undefined
  const args = v.arguments ?? v.parameters ?? {}
  return { name: v.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }
}

function xmlParameters(body: string, schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>
  const out: Record<string, unknown> = {}
  for (const match of body.matchAll(/<parameter=([\w.-]+)>\n?([\s\S]*?)\n?<\/parameter>/g)) {
    const [, key, raw] = match as unknown as [string, string, string]
    out[key] = properties[key]?.type === 'string' ? raw : parseLoose(raw)
  }
  return out
}

function parseLoose(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

function firstMarker(text: string): number {
  const found = MARKERS.map((m) => text.indexOf(m)).filter((i) => i >= 0)
  return found.length ? Math.min(...found) : -1
}

function partialMarkerSuffix(text: string): number {
  let best = 0
  for (const marker of MARKERS) {
    for (let n = Math.min(marker.length - 1, text.length); n > best; n--) {
      if (text.endsWith(marker.slice(0, n))) {
        best = n
        break
      }
    }
  }
  return best
}
