// How numbers, times, model specs, model text and tool output read on the page. Pure.

/** 950, 12.3k, 4.5M */
export function compactNumber(n: number): string {
  if (n < 1000) return String(Math.round(n))
  if (n < 1_000_000) return `${trim(n / 1000)}k`
  return `${trim(n / 1_000_000)}M`
}

function trim(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '')
}

/** 850 ms, 4.2 s, 1m 04s, 2h 03m */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.floor(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** just now, 12s ago, 5m ago, 3h ago, 2d ago */
export function relativeTime(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000))
  if (s < 5) return 'just now'
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

/** The model's own name from a spec such as `lmstudio:qwen/qwen3-coder-30b@http://…`. */
export function shortModel(spec: string): string {
  let s = spec.split('@')[0] ?? spec
  const colon = s.indexOf(':')
  if (colon >= 0 && !s.slice(0, colon).includes('/')) s = s.slice(colon + 1)
  const slash = s.lastIndexOf('/')
  return (slash >= 0 ? s.slice(slash + 1) : s) || spec
}

/** The last path segment of a directory: what a project is called in a heading. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean)
  return parts[parts.length - 1] ?? path
}

/** A title for a session without one: its first prompt's first words, else its id. */
export function sessionLabel(title: string | null, id: string): string {
  const t = title?.trim()
  if (!t) return id.slice(0, 12)
  return t.length > 80 ? `${t.slice(0, 79)}…` : t
}

export type TextBlock = { kind: 'text'; text: string } | { kind: 'code'; lang: string; text: string }

/** Model text split at ``` fences; an unclosed fence (still streaming) runs to the end as code. */
export function splitFences(text: string): TextBlock[] {
  const blocks: TextBlock[] = []
  const lines = text.split('\n')
  let buffer: string[] = []
  let code: { lang: string } | null = null
  const flush = () => {
    if (code) blocks.push({ kind: 'code', lang: code.lang, text: buffer.join('\n') })
    else if (buffer.some((l) => l.trim() !== '')) blocks.push({ kind: 'text', text: buffer.join('\n') })
    buffer = []
  }
  for (const line of lines) {
    const fence = /^\s*```(.*)$/.exec(line)
    if (fence) {
      flush()
      code = code ? null : { lang: (fence[1] ?? '').trim() }
      continue
    }
    buffer.push(line)
  }
  flush()
  return blocks
}

export interface InlinePart {
  kind: 'text' | 'code' | 'strong'
  text: string
}

/**
 * The inline marks models use most, `code` and **bold**, as parts to render as elements (never as markup).
 * Anything else, unclosed marks included, stays text.
 */
export function splitInline(text: string): InlinePart[] {
  const parts: InlinePart[] = []
  const mark = /`([^`\n]+)`|\*\*([^*\n]+)\*\*/g
  let at = 0
  for (let m = mark.exec(text); m; m = mark.exec(text)) {
    if (m.index > at) parts.push({ kind: 'text', text: text.slice(at, m.index) })
    parts.push(m[1] !== undefined ? { kind: 'code', text: m[1] } : { kind: 'strong', text: m[2] as string })
    at = m.index + m[0].length
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) })
  return parts
}

/** The most of a tool's output the page shows; the rest is counted. */
export const OUTPUT_CAP = 20_000

export interface Capped {
  text: string
  /** Bytes (UTF-16 units) left out. */
  more: number
}

export function cap(text: string, max = OUTPUT_CAP): Capped {
  return text.length <= max ? { text, more: 0 } : { text: text.slice(0, max), more: text.length - max }
}

export interface OutputPart {
  label: string
  text: Capped
}

/** A tool's output as terminal-like parts: stdout/stderr/output/exitCode when the object has them, else JSON. */
export function outputParts(output: unknown): OutputPart[] {
  if (output === undefined || output === null) return []
  if (typeof output === 'string') return output ? [{ label: 'output', text: cap(output) }] : []
  if (typeof output === 'object' && !Array.isArray(output)) {
    const o = output as Record<string, unknown>
    const parts: OutputPart[] = []
    for (const key of ['stdout', 'stderr', 'output'] as const) {
      const v = o[key]
      if (typeof v === 'string' && v !== '') parts.push({ label: key, text: cap(v) })
    }
    const exit = o.exitCode ?? o.exit_code
    if (typeof exit === 'number' || exit === null)
      parts.push({ label: 'exit code', text: { text: String(exit), more: 0 } })
    if (parts.length > 0) return parts
  }
  return [{ label: 'result', text: cap(json(output)) }]
}

export function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value)
  } catch {
    return String(value)
  }
}
