// `punie dataset validate`: every problem of an example, as values with a kind and a message. The checks are
// pure; validateFiles streams files through them, one line at a time.
import type { ArgumentChecker } from './argument-check.js'
import type { Example, Message } from './example.js'
import { readExamples } from './read-examples.js'
import { exampleTokens } from './tokens.js'

export type ProblemKind =
  | 'schema'
  | 'roles'
  | 'unknown-tool'
  | 'unanswered-call'
  | 'orphan-result'
  | 'duplicate-result'
  | 'bad-arguments'
  | 'empty-answer'
  | 'too-long'

export interface Problem {
  kind: ProblemKind
  message: string
}

export interface LocatedProblem extends Problem {
  file: string
  line: number
}

/** Tool name → its parameters schema (undefined: the tool exists but says nothing about its arguments). */
export type ToolCatalog = ReadonlyMap<string, Record<string, unknown> | undefined>

export interface CheckOptions {
  /** Check calls against this catalog instead of each example's own `tools`. */
  catalog?: ToolCatalog
  maxTokens?: number
  checker: ArgumentChecker
}

export function catalogOf(example: Example): ToolCatalog {
  return new Map((example.tools ?? []).map((t) => [t.function.name, t.function.parameters]))
}

export function checkExample(example: Example, options: CheckOptions): Problem[] {
  const problems: Problem[] = [...checkRoles(example.messages), ...checkCalls(example, options)]
  const final = example.messages.at(-1)
  if (final?.role === 'assistant' && !final.tool_calls?.length && !final.content?.trim())
    problems.push({
      kind: 'empty-answer',
      message: `message ${example.messages.length}: the final answer is empty`,
    })
  example.messages.forEach((m, i) => {
    if (m !== final && m.role === 'assistant' && !m.tool_calls?.length && !m.content?.trim())
      problems.push({
        kind: 'empty-answer',
        message: `message ${i + 1}: an assistant message with neither text nor tool calls`,
      })
  })
  if (options.maxTokens !== undefined) {
    const tokens = exampleTokens(example)
    if (tokens > options.maxTokens)
      problems.push({
        kind: 'too-long',
        message: `about ${tokens} tokens, over the limit of ${options.maxTokens}`,
      })
  }
  return problems
}

/** System first if any; a tool result only in the block right after the call it answers; every call answered once. */
export function checkRoles(messages: readonly Message[]): Problem[] {
  const problems: Problem[] = []
  const at = (i: number) => `message ${i + 1}`
  const everyCall = new Set<string>()
  for (const m of messages)
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) everyCall.add(c.id)
  const firstOther = messages.findIndex((m) => m.role !== 'system')
  if (firstOther === -1) problems.push({ kind: 'roles', message: 'only system messages' })
  else if (messages[firstOther]?.role !== 'user')
    problems.push({
      kind: 'roles',
      message: `${at(firstOther)}: the conversation starts with ${messages[firstOther]?.role}, not user`,
    })
  // The calls of the latest assistant message, and how often each was answered, while its results follow.
  let open: Map<string, number> | undefined
  let openAt = -1
  const closeBlock = () => {
    if (open)
      for (const [id, answers] of open)
        if (answers === 0)
          problems.push({
            kind: 'unanswered-call',
            message: `${at(openAt)}: tool call ${id} has no tool result`,
          })
    open = undefined
  }
  messages.forEach((m, i) => {
    if (m.role === 'system') {
      if (i > 0) problems.push({ kind: 'roles', message: `${at(i)}: a system message after the start` })
      return
    }
    if (m.role === 'tool') {
      const answers = open?.get(m.tool_call_id)
      if (answers === undefined) {
        if (everyCall.has(m.tool_call_id))
          problems.push({
            kind: 'roles',
            message: `${at(i)}: the result of ${m.tool_call_id} is not right after the call it answers`,
          })
        else
          problems.push({
            kind: 'orphan-result',
            message: `${at(i)}: a tool result for ${m.tool_call_id}, which no call made`,
          })
      } else if (answers > 0) {
        problems.push({
          kind: 'duplicate-result',
          message: `${at(i)}: a second result for tool call ${m.tool_call_id}`,
        })
        open?.set(m.tool_call_id, answers + 1)
      } else open?.set(m.tool_call_id, 1)
      return
    }
    closeBlock()
    if (m.role === 'assistant' && m.tool_calls?.length) {
      open = new Map()
      openAt = i
      for (const c of m.tool_calls) {
        if (open.has(c.id))
          problems.push({ kind: 'roles', message: `${at(i)}: two calls share the id ${c.id}` })
        open.set(c.id, 0)
      }
    }
  })
  closeBlock()
  const last = messages.at(-1)
  if (last && last.role !== 'assistant' && firstOther !== -1)
    problems.push({
      kind: 'roles',
      message: `message ${messages.length}: ends with ${last.role}, not an assistant answer`,
    })
  return problems
}

function checkCalls(example: Example, options: CheckOptions): Problem[] {
  const problems: Problem[] = []
  const catalog = options.catalog ?? catalogOf(example)
  const offered = options.catalog
    ? 'Punie’s tools'
    : example.tools?.length
      ? 'the example’s tools'
      : 'the example’s tools (it offers none)'
  example.messages.forEach((m, i) => {
    if (m.role !== 'assistant') return
    for (const call of m.tool_calls ?? []) {
      const name = call.function.name
      const where = `message ${i + 1}, call ${call.id} (${name})`
      if (!catalog.has(name)) {
        problems.push({ kind: 'unknown-tool', message: `${where}: ${name} is not among ${offered}` })
        continue
      }
      let args: unknown
      try {
        args = JSON.parse(call.function.arguments)
      } catch {
        problems.push({ kind: 'bad-arguments', message: `${where}: the arguments are not JSON` })
        continue
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        problems.push({ kind: 'bad-arguments', message: `${where}: the arguments are not a JSON object` })
        continue
      }
      const schema = catalog.get(name)
      if (!schema) continue
      for (const p of options.checker.check(schema, args))
        problems.push({ kind: 'bad-arguments', message: `${where}: ${p}` })
    }
  })
  return problems
}

export interface ValidateSummary {
  files: number
  examples: number
  valid: number
  invalid: number
  problems: number
  byKind: Partial<Record<ProblemKind, number>>
}

export interface ValidateHooks {
  onProblem(problem: LocatedProblem): void
  onLine?(bytes: number): void
}

/** Streams every file through the checks; problems go to `onProblem` as they are found. */
export async function validateFiles(
  files: readonly string[],
  options: CheckOptions,
  hooks: ValidateHooks,
): Promise<ValidateSummary> {
  const summary: ValidateSummary = {
    files: files.length,
    examples: 0,
    valid: 0,
    invalid: 0,
    problems: 0,
    byKind: {},
  }
  for (const file of files) {
    for await (const entry of readExamples(file)) {
      summary.examples++
      hooks.onLine?.(entry.bytes)
      const problems: Problem[] = entry.ok
        ? checkExample(entry.example, options)
        : entry.problems.map((message) => ({ kind: 'schema' as const, message }))
      if (problems.length === 0) {
        summary.valid++
        continue
      }
      summary.invalid++
      for (const p of problems) {
        summary.problems++
        summary.byKind[p.kind] = (summary.byKind[p.kind] ?? 0) + 1
        hooks.onProblem({ ...p, file, line: entry.line })
      }
    }
  }
  return summary
}
