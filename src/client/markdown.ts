// Markdown for a terminal, rendered a line at a time as the answer streams in: headings, emphasis, inline code,
// fenced code blocks, lists, quotes and links, in ANSI styles.
const style = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  italic: (s: string) => `\x1b[3m${s}\x1b[23m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  underline: (s: string) => `\x1b[4m${s}\x1b[24m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
}

export class MarkdownLineRenderer {
  private partial = ''
  private inFence = false

  /** Text in, rendered complete lines out; an unfinished line waits for its end (or `flush`). */
  push(text: string): string {
    this.partial += text
    const lines = this.partial.split('\n')
    this.partial = lines.pop() ?? ''
    return lines.map((line) => `${this.renderLine(line)}\n`).join('')
  }

  flush(): string {
    const rest = this.partial
    this.partial = ''
    return rest ? this.renderLine(rest) : ''
  }

  private renderLine(line: string): string {
    if (/^\s*(```|~~~)/.test(line)) {
      this.inFence = !this.inFence
      return style.dim(line)
    }
    if (this.inFence) return style.cyan(`  ${line}`)
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    if (heading) return style.bold(style.underline(inline(heading[2] ?? '')))
    const quote = /^>\s?(.*)$/.exec(line)
    if (quote) return style.dim(`│ ${inline(quote[1] ?? '')}`)
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line)
    if (bullet) return `${bullet[1]}• ${inline(bullet[2] ?? '')}`
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) return style.dim('─'.repeat(40))
    return inline(line)
  }
}

function inline(text: string): string {
  return text
    .replace(/`([^`]+)`/g, (_m, code: string) => style.cyan(code))
    .replace(/\*\*([^*]+)\*\*/g, (_m, s: string) => style.bold(s))
    .replace(
      /(^|[^*\w])\*([^*\s][^*]*)\*(?!\*)/g,
      (_m, before: string, s: string) => before + style.italic(s),
    )
    .replace(
      /\[([^\]]+)\]\(([^)\s]+)\)/g,
      (_m, label: string, url: string) => `${label} ${style.underline(url)}`,
    )
}

export const ansi = style
