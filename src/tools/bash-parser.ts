// Parses bash with tree-sitter, loaded on the first command whose permission is decided (devtools/tree-sitter.ts).
import type { Node } from '@vscode/tree-sitter-wasm'
import { loadGrammar } from '../devtools/tree-sitter.js'

/** A bash syntax tree node as plain data, so that deciding on it is pure and no WebAssembly tree leaks. */
export interface ShellNode {
  type: string
  text: string
  named: boolean
  hasError: boolean
  children: ShellNode[]
}

/** Parses a command line into a bash syntax tree; synchronous once loaded. */
export type ParseBash = (text: string) => ShellNode

let loading: Promise<ParseBash> | undefined

export function loadBashParser(): Promise<ParseBash> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

async function load(): Promise<ParseBash> {
  const { parser } = await loadGrammar('bash')
  return (text) => {
    const tree = parser.parse(text)
    if (!tree) throw new Error('the bash parser returned no tree')
    try {
      return plain(tree.rootNode)
    } finally {
      tree.delete()
    }
  }
}

function plain(node: Node): ShellNode {
  return {
    type: node.type,
    text: node.text,
    named: node.isNamed,
    hasError: node.hasError || node.isMissing,
    children: node.children.filter((c): c is Node => c !== null).map(plain),
  }
}
