// How much of a tool's result may reach the model, the store and the IDE: caps on text and on values,
// and the notes that say what was cut. Pure.

/** What one tool result may add to a model request, by default (`maxToolResultBytes` in config.json). */
export const DEFAULT_MAX_TOOL_RESULT_BYTES = 32 * 1024

const encoder = new TextEncoder()

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** "512 B", "32 KB", "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 102.4) / 10} KB`.replace('.0 KB', ' KB')
  return `${Math.round(bytes / (1024 * 102.4)) / 10} MB`.replace('.0 MB', ' MB')
}

/** The longest beginning of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function headBytes(text: string, maxBytes: number): string {
  // A character is at most 3 UTF-8 bytes per UTF-16 unit, so more than this many units cannot fit.
  if (text.length <= maxBytes / 3) return text
  const room = new Uint8Array(Math.max(0, maxBytes))
  const { read } = encoder.encodeInto(text, room)
  return text.slice(0, read)
}

/** The longest end of `text` that fits in `maxBytes` of UTF-8 (a command's latest output matters most). */
export function tailBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3) return text
  const end = Buffer.from(text.slice(-maxBytes), 'utf8')
  if (end.length <= maxBytes) return text.slice(-maxBytes)
  // A cut inside a character leaves replacement characters at the start; drop them.
  return end
    .subarray(end.length - maxBytes)
    .toString('utf8')
    .replace(/^\uFFFD+/, '')
}

/**
 * A tool result as the model may read it: at most `maxBytes`, with a note that says how much was cut and
 * how to get the rest.
 */
export function capToolResult(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || byteLength(text) <= maxBytes) return text
  const total = byteLength(text)
  const note = (rest: number) =>
    `\n[… ${formatBytes(rest)} more not shown: a tool result may add at most ${formatBytes(maxBytes)} to the conversation. Ask for less to see the rest: a line range (read_file line/limit), a narrower path, glob or pattern, or print only what you need.]`
  const head = headBytes(text, Math.max(0, maxBytes - byteLength(note(total))))
  return `${head}${note(total - byteLength(head))}`
}

/**
 * A JSON-like value cut down to about `maxChars` characters of JSON: long strings keep their beginning,
 * long arrays and objects their first entries, each with a marker of what is missing. Cheap on huge
 * values: it stops walking once the budget is spent.
 */
export function boundValue(value: unknown, maxChars: number): { value: unknown; cut: boolean } {
  const state = { left: maxChars, cut: false }
  return { value: bound(value, state), cut: state.cut }
}

function bound(value: unknown, state: { left: number; cut: boolean }): unknown {
  if (typeof value === 'string') {
    if (value.length + 2 <= state.left) {
      state.left -= value.length + 2
      return value
    }
    state.cut = true
    const kept = value.slice(0, Math.max(0, state.left - 2))
    state.left = 0
    return `${kept}… [${value.length - kept.length} more characters]`
  }
  if (Array.isArray(value)) {
    const out: unknown[] = []
    state.left -= 2
    for (let i = 0; i < value.length; i++) {
      if (state.left <= 0) {
        state.cut = true
        out.push(`… [${value.length - i} more items]`)
        break
      }
      out.push(bound(value[i], state))
      state.left -= 1
    }
    return out
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    const entries = Object.entries(value as Record<string, unknown>)
    state.left -= 2
    for (let i = 0; i < entries.length; i++) {
      const [key, item] = entries[i] as [string, unknown]
      if (state.left <= 0) {
        state.cut = true
        out['…'] = `${entries.length - i} more keys`
        break
      }
      state.left -= key.length + 4
      out[key] = bound(item, state)
    }
    return out
  }
  state.left -= value === undefined ? 4 : String(value).length
  return value
}
