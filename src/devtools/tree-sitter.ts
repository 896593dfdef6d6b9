// Loads a tree-sitter grammar (WebAssembly, from @vscode/tree-sitter-wasm: no native build, no download) once
// per process: the runtime and a language are immutable once loaded, and loading takes about 15 ms each.
import { createRequire } from 'node:module'
import type { Language, Parser } from '@vscode/tree-sitter-wasm'

export type TreeSitter = typeof import('@vscode/tree-sitter-wasm')
export type Grammar = 'bash' | 'python'

export interface LoadedGrammar {
  ts: TreeSitter
  language: Language
  /** A parser set to the language. Parsing is synchronous, so one parser serves every caller in turn. */
  parser: Parser
}

// Process-wide on purpose: the grammars are read-only data, shared like a module's code.
const loading = new Map<Grammar, Promise<LoadedGrammar>>()

export function loadGrammar(grammar: Grammar): Promise<LoadedGrammar> {
  let loaded = loading.get(grammar)
  if (!loaded) {
    loaded = load(grammar).catch((error: unknown) => {
      loading.delete(grammar)
      throw error
    })
    loading.set(grammar, loaded)
  }
  return loaded
}

async function load(grammar: Grammar): Promise<LoadedGrammar> {
  const require = createRequire(import.meta.url)
  const ts = require('@vscode/tree-sitter-wasm') as TreeSitter
  await ts.Parser.init()
  const language = await ts.Language.load(
    require.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${grammar}.wasm`),
  )
  const parser = new ts.Parser()
  parser.setLanguage(language)
  return { ts, language, parser }
}
