// Applies text edits given as 0-based line/character ranges (LSP's form), for every tool that edits by range.
export interface TextPosition {
  line: number
  character: number
}

export interface TextEdit {
  range: { start: TextPosition; end: TextPosition }
  newText: string
}

/** Applies the edits last first, so earlier positions stay valid; an edit overlapping one already applied is skipped. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  const offset = (p: TextPosition) => (starts[p.line] ?? text.length) + p.character
  const ordered = edits
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start)
  let out = text
  let limit = Number.POSITIVE_INFINITY
  for (const edit of ordered) {
    if (edit.end > limit) continue
    out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end)
    limit = edit.start
  }
  return out
}
