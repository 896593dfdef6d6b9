// `punie dataset filter`: which examples a set of conditions keeps. The conditions are pure; Python version
// conditions need the parser, passed in as an analyzer so this module stays testable without it.
import { codeInExample, languagesOf } from './code-in-example.js'
import type { Example } from './example.js'
import { compareVersions, type PythonAnalysis, type PythonAnalyzer, summarise } from './python-signals.js'
import { exampleTokens } from './tokens.js'

export interface FilterSpec {
  /** A language the example's code is in; "other": code in a language that is not Python; "none": no code. */
  language?: string
  /** Keep examples whose Python needs at least this version (uses its syntax). */
  pythonVersionMin?: string
  /** Keep examples whose Python runs on this version (needs nothing newer; no Python 2 syntax for 3.x). */
  pythonVersionMax?: string
  /** Keep examples whose Python shows at least one of these signals. */
  pythonSignals?: readonly string[]
  minTokens?: number
  maxTokens?: number
  /** yes: some tool call; no: a direct answer; any other word: a call of that tool. */
  toolUse?: string
  outcome?: string
  category?: string
}

export function needsPython(spec: FilterSpec): boolean {
  return (
    spec.pythonVersionMin !== undefined || spec.pythonVersionMax !== undefined || !!spec.pythonSignals?.length
  )
}

/** The Python analysis of all the Python code in an example, or undefined when it has none. */
export function analysePython(example: Example, analyze: PythonAnalyzer): PythonAnalysis | undefined {
  const pieces = codeInExample(example).filter((p) => p.language === 'python' && p.code.trim())
  if (!pieces.length) return undefined
  const found: string[] = []
  let errors = false
  for (const p of pieces) {
    const a = analyze(p.code)
    found.push(...a.signals)
    errors ||= a.syntaxErrors
  }
  return summarise(found, errors)
}

/** Why the example is left out (the first condition it fails), or undefined when it is kept. */
export function rejection(example: Example, spec: FilterSpec, python?: PythonAnalysis): string | undefined {
  if (spec.language) {
    const languages = languagesOf(codeInExample(example))
    const want = spec.language.toLowerCase()
    const ok =
      want === 'none'
        ? languages.size === 0
        : want === 'other'
          ? [...languages].some((l) => l !== 'python')
          : languages.has(want)
    if (!ok) return 'language'
  }
  if (spec.minTokens !== undefined || spec.maxTokens !== undefined) {
    const tokens = exampleTokens(example)
    if (spec.minTokens !== undefined && tokens < spec.minTokens) return 'min-tokens'
    if (spec.maxTokens !== undefined && tokens > spec.maxTokens) return 'max-tokens'
  }
  if (spec.toolUse) {
    const calls = example.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
    const ok =
      spec.toolUse === 'yes'
        ? calls.length > 0
        : spec.toolUse === 'no'
          ? calls.length === 0
          : calls.some((c) => c.function.name === spec.toolUse)
    if (!ok) return 'tool-use'
  }
  if (spec.outcome && (example.metadata?.outcome ?? 'unknown') !== spec.outcome) return 'outcome'
  if (spec.category && example.metadata?.category !== spec.category) return 'category'
  if (spec.pythonVersionMin !== undefined) {
    if (!python || python.python2 || compareVersions(python.minVersion, spec.pythonVersionMin) < 0)
      return 'python-version-min'
  }
  if (spec.pythonVersionMax !== undefined) {
    // Code with no Python runs on every version; Python 2 syntax runs on no Python 3.
    if (
      python &&
      (compareVersions(python.minVersion, spec.pythonVersionMax) > 0 ||
        (python.python2 && compareVersions(spec.pythonVersionMax, '3') >= 0))
    )
      return 'python-version-max'
  }
  if (spec.pythonSignals?.length) {
    if (!python || !spec.pythonSignals.some((s) => python.signals.includes(s))) return 'python-signals'
  }
  return undefined
}
