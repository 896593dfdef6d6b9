// Splits streamed text into answer and reasoning at <think>…</think> tags, even when a tag is cut across chunks.
export type TextPart = { kind: 'text' | 'reasoning'; text: string }

const OPEN = '<think>'
const CLOSE = '</think>'

export class ThinkSplitter {
  private inThought = false
  private pending = ''

  push(chunk: string): TextPart[] {
    const parts: TextPart[] = []
    let buffer = this.pending + chunk
    this.pending = ''
    while (buffer.length > 0) {
      const tag = this.inThought ? CLOSE : OPEN
      const at = buffer.indexOf(tag)
      if (at >= 0) {
        this.emit(parts, buffer.slice(0, at))
        buffer = buffer.slice(at + tag.length)
        this.inThought = !this.inThought
        continue
      }
      const keep = partialTagSuffix(buffer, tag)
      this.emit(parts, buffer.slice(0, buffer.length - keep))
      this.pending = buffer.slice(buffer.length - keep)
      break
    }
    return parts
  }

  /** Flushes a dangling partial tag as ordinary content. */
  end(): TextPart[] {
    const parts: TextPart[] = []
    this.emit(parts, this.pending)
    this.pending = ''
    return parts
  }

  private emit(parts: TextPart[], text: string) {
    if (text) parts.push({ kind: this.inThought ? 'reasoning' : 'text', text })
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n
  }
  return 0
}
