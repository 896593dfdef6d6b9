// The code an example carries, and in which language: fenced blocks in any message, execute_code snippets
// (Python), and file contents written or edited through tool calls (language from the file's extension). Pure.
import type { Example } from './example.js'

export interface CodePiece {
  language: string
  code: string
  /** Where it was found: "message 3 fence", "message 2 write_file". */
  from: string
}

const EXTENSIONS: Record<string, string> = {
  py: 'python',
  pyi: 'python',
  pyw: 'python',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  rs: 'rust',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  rb: 'ruby',
  php: 'php',
  cs: 'csharp',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  swift: 'swift',
  scala: 'scala',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  sql: 'sql',
  lua: 'lua',
  r: 'r',
  jl: 'julia',
}

const FENCE_NAMES: Record<string, string> = {
  py: 'python',
  python3: 'python',
  py3: 'python',
  ipython: 'python',
  ts: 'typescript',
  js: 'javascript',
  node: 'javascript',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  rs: 'rust',
  golang: 'go',
  'c++': 'cpp',
  cxx: 'cpp',
  rb: 'ruby',
  kt: 'kotlin',
}

export function languageOfPath(path: string): string | undefined {
  const ext = /\.([A-Za-z0-9+]+)$/.exec(path)?.[1]?.toLowerCase()
  return ext ? EXTENSIONS[ext] : undefined
}

export function languageOfFence(info: string): string {
  const word = info.trim().split(/[\s{]/)[0]?.toLowerCase() ?? ''
  if (!word) return 'unknown'
  return FENCE_NAMES[word] ?? EXTENSIONS[word] ?? word
}

const FENCE = /^([ \t]*)(`{3,}|~{3,})([^\n`]*)\n([\s\S]*?)\n\1\2[ \t]*$/gm

export function fencedCode(text: string): { language: string; code: string }[] {
  const out: { language: string; code: string }[] = []
  for (const m of text.matchAll(FENCE)) out.push({ language: languageOfFence(m[3] ?? ''), code: m[4] ?? '' })
  return out
}

/** The fields of well-known tool arguments that hold a file's path and new text. */
const WRITES: Record<string, { path: string; text: readonly string[] }> = {
  write_file: { path: 'path', text: ['content'] },
  edit_file: { path: 'path', text: ['new'] },
  create_file: { path: 'path', text: ['content'] },
}

export function codeInExample(example: Example): CodePiece[] {
  const pieces: CodePiece[] = []
  example.messages.forEach((m, i) => {
    if (m.content)
      for (const f of fencedCode(m.content)) pieces.push({ ...f, from: `message ${i + 1} fence` })
    if (m.role !== 'assistant') return
    for (const call of m.tool_calls ?? []) {
      let args: Record<string, unknown>
      try {
        const parsed: unknown = JSON.parse(call.function.arguments)
        if (typeof parsed !== 'object' || parsed === null) continue
        args = parsed as Record<string, unknown>
      } catch {
        continue
      }
      const from = `message ${i + 1} ${call.function.name}`
      if (call.function.name === 'execute_code' && typeof args.code === 'string') {
        pieces.push({ language: 'python', code: args.code, from })
        continue
      }
      const write = WRITES[call.function.name]
      const path =
        typeof args[write?.path ?? 'path'] === 'string' ? (args[write?.path ?? 'path'] as string) : undefined
      const language = path ? languageOfPath(path) : undefined
      if (!language) continue
      const fields = write?.text ?? []
      const texts = fields.map((f) => args[f]).filter((t): t is string => typeof t === 'string')
      // A tool that only names the file (read, lint) still says which language the example is about.
      pieces.push(
        ...(texts.length ? texts.map((code) => ({ language, code, from })) : [{ language, code: '', from }]),
      )
    }
  })
  return pieces
}

export function languagesOf(pieces: readonly CodePiece[]): Set<string> {
  return new Set(pieces.map((p) => p.language))
}
