// Positions the model gives (1-based, maybe a little off) → LSP positions (0-based). Pure.
export interface LspPosition {
  line: number
  character: number
}

export class SymbolNotFoundError extends Error {
  override name = 'SymbolNotFoundError'
}

const NEARBY_LINES = 3

/**
 * Where to ask about: the symbol's occurrence on the given line, or failing that on the lines nearest to it;
 * a column picks the closest occurrence on a line. Without a symbol, the 1-based column is taken as given.
 */
export function locate(
  text: string,
  line: number,
  options: { column?: number; symbol?: string },
): LspPosition {
  const lines = text.split('\n')
  const wanted = Math.min(Math.max(line, 1), lines.length) - 1
  const { symbol, column } = options
  if (!symbol) {
    if (column === undefined) throw new SymbolNotFoundError('give the symbol name or a column')
    return { line: wanted, character: Math.max(0, column - 1) }
  }
  const pattern = new RegExp(`(?<![\\w$])${symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w$])`, 'g')
  for (let distance = 0; distance <= NEARBY_LINES; distance++) {
    for (const candidate of distance === 0 ? [wanted] : [wanted - distance, wanted + distance]) {
      const content = lines[candidate]
      if (content === undefined) continue
      const hits = [...content.matchAll(pattern)].map((m) => m.index ?? 0)
      if (hits.length === 0) continue
      const target = (column ?? 1) - 1
      const best = hits.reduce((a, b) => (Math.abs(b - target) < Math.abs(a - target) ? b : a))
      return { line: candidate, character: best }
    }
  }
  throw new SymbolNotFoundError(`"${symbol}" is not on line ${line} or within ${NEARBY_LINES} lines of it`)
}
