// Turns a recorded session (as a cassette) into an eval case in the suite format: its first prompt, the files
// it started from, and checks derived from what happened (the tools it called, the files it changed and lines
// of their final content, facts quoted in its answer). Pure; the result is checked with parseSuite by the caller.
import { stringify } from 'yaml'
import { type Cassette, WORKSPACE_TOKEN } from './cassette.js'
import type { Expectations, FileCheck } from './suite.js'

/** Lines of a changed file the case checks for, at most. */
const LINES_PER_FILE = 3
const ANSWER_FACTS = 3
/** A line shorter than this says too little to be worth checking. */
const MIN_LINE = 4

export interface DerivedCase {
  yaml: string
  /** What the case leaves out, for the user. */
  notes: string[]
}

export function caseFromCassette(cassette: Cassette, options: { id?: string } = {}): DerivedCase {
  const turn = cassette.turns.find((t) => t.exchanges.length > 0)
  if (!turn) throw new Error(`session ${cassette.session.id} has no turn that asked the model`)
  const notes: string[] = []
  if (cassette.turns.length > 1)
    notes.push(`the session has ${cassette.turns.length} turns: the case is its first prompt`)
  if (cassette.unknownStart.length)
    notes.push(`not in the workspace (never read whole): ${cassette.unknownStart.join(', ')}`)
  const unplace = (text: string) =>
    text.split(`${WORKSPACE_TOKEN}/`).join('').split(WORKSPACE_TOKEN).join('.')
  const index = cassette.turns.indexOf(turn)
  const laterTouched = new Set(
    cassette.turns.slice(index + 1).flatMap((t) => t.toolCalls.map((c) => pathOf(c.input) ?? '')),
  )

  const top = turn.toolCalls.filter((c) => !c.parentId && c.status === 'completed')
  const fromCode = turn.toolCalls.filter((c) => c.parentId && c.status === 'completed')
  const tools: NonNullable<Expectations['tools']> = []
  for (const call of top) {
    if (tools.some((t) => (typeof t === 'string' ? t : t.name) === call.name)) continue
    const path = pathOf(call.input)
    tools.push(path ? { name: call.name, args: { path: unplace(path) } } : call.name)
  }
  const files: FileCheck[] = []
  for (const [path, end] of Object.entries(cassette.files.end)) {
    const start = cassette.files.start[path]
    if (end === start || laterTouched.has(path)) continue
    if (end === null) {
      files.push({ path, exists: false })
      continue
    }
    const before = new Set((start ?? '').split('\n').map((l) => l.trim()))
    const added = end
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length >= MIN_LINE && !before.has(l))
    const contains = [...new Set(added)].slice(0, LINES_PER_FILE)
    files.push(contains.length ? { path, contains: contains.map(unplace) } : { path, exists: true })
  }
  const facts = answerFacts(turn.answer).map(unplace)
  const expect: Expectations = {
    ...(tools.length ? { tools } : {}),
    ...(fromCode.length ? { code_calls: [...new Set(fromCode.map((c) => c.name))] } : {}),
    ...(!top.length && !fromCode.length ? { no_tools: true } : {}),
    ...(files.length ? { files } : {}),
    ...(facts.length ? { answer_contains: facts } : {}),
  }
  const start = Object.fromEntries(
    Object.entries(cassette.files.start).filter((e): e is [string, string] => e[1] !== null),
  )
  const evalCase = {
    id: options.id ?? `session-${cassette.session.id.slice(0, 8)}`,
    category: 'from-session',
    prompt: unplace(turn.prompt),
    ...(Object.keys(start).length ? { workspace: { files: start } } : {}),
    tool_mode: cassette.session.toolMode,
    expect,
  }
  const suite = {
    suite: `session-${cassette.session.id.slice(0, 8)}`,
    description: `From session ${cassette.session.id}${cassette.session.title ? ` (${cassette.session.title})` : ''}, recorded ${cassette.recordedAt.slice(0, 10)} with Punie ${cassette.punieVersion}`,
    cases: [evalCase],
  }
  return { yaml: stringify(suite, { lineWidth: 0 }), notes }
}

function pathOf(input: unknown): string | undefined {
  const path = (input as { path?: unknown } | null)?.path
  return typeof path === 'string' ? path : undefined
}

/** Words the answer quotes as code (`name`), which a good answer to the same prompt names too. */
export function answerFacts(answer: string): string[] {
  const quoted = [...answer.matchAll(/`([^`\n]{2,60})`/g)].map((m) => m[1] as string)
  return [...new Set(quoted)].slice(0, ANSWER_FACTS)
}
