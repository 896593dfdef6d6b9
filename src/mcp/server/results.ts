// A tool call's outcome as an MCP result: the text the model would read (already capped), the typed result
// as structuredContent within a size budget, and isError for every failure. Pure.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { ToolCallOutcome } from '../../session/tool-call.js'

/** Room a cut string leaves for its quotes and the marker that says how much is missing. */
const MARKER_CHARS = 40

export function callResult(outcome: ToolCallOutcome, maxBytes: number): CallToolResult {
  const content = [{ type: 'text' as const, text: outcome.message.content }]
  if (outcome.failure) return { content, isError: true }
  if (!isPlainObject(outcome.output)) return { content }
  // Room for the JSON around what the text carries, as the event log keeps it (session/tool-call.ts).
  const fitted = fitStructured(outcome.output, maxBytes * 2)
  return {
    content,
    structuredContent: fitted.value as Record<string, unknown>,
    ...(fitted.cut ? { _meta: { 'punie/cut': true } } : {}),
  }
}

/**
 * A value cut down to about `maxChars` of JSON while keeping its shape, so that it still matches the tool's
 * output schema: long strings keep their beginning and say how much is missing, long arrays keep their first
 * items, and objects keep every key (the schema may require them). `limits.ts`'s boundValue marks cuts with
 * extra items and keys, which a schema would refuse.
 */
export function fitStructured(value: unknown, maxChars: number): { value: unknown; cut: boolean } {
  const state = { left: maxChars, cut: false }
  const fitted = shrink(value, state)
  return { value: fitted, cut: state.cut }
}

function shrink(value: unknown, state: { left: number; cut: boolean }): unknown {
  if (typeof value === 'string') {
    // Counted as JSON writes it: escapes (a newline is two characters) count too.
    const size = value.length + 2 <= state.left ? JSON.stringify(value).length : Number.POSITIVE_INFINITY
    if (size <= state.left) {
      state.left -= size
      return value
    }
    state.cut = true
    const room = Math.max(0, state.left - MARKER_CHARS)
    let kept = value.slice(0, room)
    // Each pass drops at least the excess, so it ends (at the empty string, whose escaped size is 0).
    for (let over = escapedLength(kept) - room; over > 0; over = escapedLength(kept) - room)
      kept = kept.slice(0, Math.max(0, kept.length - over))
    state.left = 0
    return `${kept}… [${value.length - kept.length} more characters]`
  }
  if (Array.isArray(value)) {
    state.left -= 2
    const out: unknown[] = []
    for (const item of value) {
      if (state.left <= 0) {
        state.cut = true
        break
      }
      out.push(shrink(item, state))
      state.left -= 1
    }
    return out
  }
  if (isPlainObject(value)) {
    state.left -= 2
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      state.left -= key.length + 4
      out[key] = shrink(item, state)
    }
    return out
  }
  state.left -= value === undefined ? 4 : String(value).length
  return value
}

/** A string's length in JSON, quotes left out. */
function escapedLength(text: string): number {
  return JSON.stringify(text).length - 2
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
