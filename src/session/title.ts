// A session title from its first prompt: the first meaningful line, shortened. No model call.
const MAX_TITLE = 60

export function titleFromPrompt(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0)
  if (!line) return undefined
  if (line.length <= MAX_TITLE) return line
  const cut = line.slice(0, MAX_TITLE - 1)
  const lastSpace = cut.lastIndexOf(' ')
  return `${lastSpace > MAX_TITLE / 2 ? cut.slice(0, lastSpace) : cut}…`
}
