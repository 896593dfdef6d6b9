// Examples from the tool registry: the task templates instantiated on a real workspace, each tool call run for
// real (by the runner the caller wires: Punie's own tool-call path), and written in the canonical form with the
// tools and system prompt Punie offers in that tool mode. Deterministic for a seed, timings aside.
import { EXECUTE_CODE } from '../codemode/execute-code.js'
import type { Tool } from '../tools/define.js'
import type { ToolMode } from '../tools/tool-mode.js'
import type { Example, Message, ToolDefinition } from './example.js'
import { seededRng, TASK_TEMPLATES, type TaskStep, type TaskTemplate, type ToolTask } from './templates.js'
import { codeForCall } from './templates-code.js'
import { DIRECT_ANSWERS, type DirectAnswer } from './templates-direct.js'
import type { WorkspaceFacts } from './templates-workspace.js'

export const GENERATOR = 'registry'
export const CALL_TOOL = 'call_tool'

/** What Punie offers the model on a first request in one tool mode, as a session builds it. */
export interface ExampleOffer {
  toolMode: ToolMode
  systemPrompt: string
  /** The JSON tools, in the canonical form (as they go on the wire). */
  tools: ToolDefinition[]
  /** Every tool of the session, the ones the prompt only lists too. */
  all: readonly Tool[]
}

export interface ToolCallToRun {
  id: string
  name: string
  /** JSON text, as the model sends it. */
  arguments: string
}

export type RunOutcome =
  /** `content`: what the model reads (the rendered, capped result); `output`: the typed result. */
  { ok: true; content: string; output: unknown } | { ok: false; message: string }

/** Runs a call through Punie's tool-call path: in the workspace read-only, or in a fresh temporary copy. */
export interface ExampleRunner {
  run(call: ToolCallToRun, where: 'workspace' | 'copy'): Promise<RunOutcome>
}

export interface GenerateOptions {
  n: number
  seed: number
  /** Of the examples, this share answers without a tool (0..1). */
  directShare: number
  /** Only these tools' templates; all when absent. */
  tools?: readonly string[]
  /** False when the workspace is too big to copy: the templates that need a copy are left out. */
  copyable?: boolean
  /** Said for each template left out and each run that failed. */
  onNote?: (note: string) => void
}

type Form = 'json' | 'call_tool' | 'code'

/** How Punie's tool mode reaches a tool: as a JSON tool, through call_tool (direct), or from code. */
export function formFor(offer: ExampleOffer, tool: string): Form | undefined {
  const json = new Set(offer.tools.map((t) => t.function.name))
  if (offer.toolMode === 'code') return json.has(EXECUTE_CODE) ? 'code' : undefined
  if (json.has(tool)) return 'json'
  if (offer.toolMode === 'direct') return json.has(CALL_TOOL) ? 'call_tool' : undefined
  return json.has(EXECUTE_CODE) ? 'code' : undefined
}

/** The templates whose tool the offer has, narrowed to `only`. */
export function usableTemplates(offer: ExampleOffer, only?: readonly string[]): TaskTemplate[] {
  const names = new Set(offer.all.map((t) => t.name))
  return TASK_TEMPLATES.filter(
    (t) => names.has(t.tool) && (!only || only.includes(t.tool)) && formFor(offer, t.tool) !== undefined,
  )
}

/**
 * Up to `n` examples; fewer when the workspace has too little for the templates (each missing one is noted).
 * A template whose tool fails twice (pytest or a language server not installed) is dropped with the reason.
 */
export async function* generateExamples(
  facts: WorkspaceFacts,
  offer: ExampleOffer,
  runner: ExampleRunner,
  options: GenerateOptions,
): AsyncGenerator<Example> {
  const rng = seededRng(options.seed)
  const note = options.onNote ?? (() => undefined)
  const direct = Math.round(options.n * Math.min(1, Math.max(0, options.directShare)))
  const slots = rng.shuffle([
    ...Array.from({ length: direct }, () => 'direct' as const),
    ...Array.from({ length: options.n - direct }, () => 'tool' as const),
  ])
  let templates = usableTemplates(offer, options.tools)
  if (options.copyable === false) {
    const left = templates.filter((t) => t.copy)
    if (left.length)
      note(`${left.map((t) => t.id).join(', ')}: left out, the workspace is too big to copy for them`)
    templates = templates.filter((t) => !t.copy)
  }
  const failures = new Map<string, number>()
  const seen = new Set<string>()
  let cycle: TaskTemplate[] = []
  let answers: DirectAnswer[] = []
  let directCount = 0
  let repeatsNoted = false

  for (const slot of slots) {
    if (slot === 'direct') {
      // Every answer once before any twice, in one of its wordings.
      if (!answers.length) answers = rng.shuffle(DIRECT_ANSWERS)
      const next = answers.pop()
      if (!next) continue
      const wording = rng.int(next.questions.length)
      directCount++
      yield directExample(
        offer,
        { id: `${next.id}-${wording + 1}`, question: next.questions[wording] as string, answer: next.answer },
        directCount,
      )
      continue
    }
    // Each template gets its turn before any gets a second: coverage over repetition.
    let made = false
    for (let attempt = 0; attempt < 4 * TASK_TEMPLATES.length && templates.length && !made; attempt++) {
      if (!cycle.length) cycle = rng.shuffle(templates)
      const template = cycle.pop() as TaskTemplate
      const task = template.make(facts, rng)
      if (!task) {
        note(`${template.id}: left out, the workspace has nothing for it`)
        templates = templates.filter((t) => t !== template)
        cycle = cycle.filter((t) => t !== template)
        continue
      }
      const key = `${template.id}\0${task.prompt}\0${JSON.stringify(task.args)}`
      if (seen.has(key)) continue
      const example = await toolExample(offer, runner, template, task, seen.size + 1)
      if (!example.ok) {
        const count = (failures.get(template.id) ?? 0) + 1
        failures.set(template.id, count)
        note(`${template.id}: ${template.tool} failed: ${example.message}`)
        if (count >= 2) {
          note(`${template.id}: left out after ${count} failures`)
          templates = templates.filter((t) => t !== template)
          cycle = cycle.filter((t) => t !== template)
        }
        continue
      }
      seen.add(key)
      made = true
      yield example.example
    }
    if (!made && templates.length && !repeatsNoted) {
      repeatsNoted = true
      note('no new task found: on this workspace the templates repeat what was already written')
    }
  }
}

function directExample(
  offer: ExampleOffer,
  item: { id: string; question: string; answer: string },
  n: number,
): Example {
  return {
    messages: [
      { role: 'system', content: offer.systemPrompt },
      { role: 'user', content: item.question },
      { role: 'assistant', content: item.answer },
    ],
    tools: offer.tools,
    metadata: {
      id: `${GENERATOR}/direct/${item.id}/${offer.toolMode}-${n}`,
      source: 'punie dataset generate',
      category: 'direct',
      toolMode: offer.toolMode === 'code' ? 'code' : 'direct',
      punieToolMode: offer.toolMode,
    },
  }
}

async function toolExample(
  offer: ExampleOffer,
  runner: ExampleRunner,
  template: TaskTemplate,
  task: ToolTask,
  n: number,
): Promise<{ ok: true; example: Example } | { ok: false; message: string }> {
  const where = template.copy ? 'copy' : 'workspace'
  const byName = (name: string) => offer.all.find((t) => t.name === name) as Tool
  // Several steps are one snippet wherever Punie offers execute_code for them (its prompt says so in `both`).
  const oneSnippet = template.next !== undefined && offer.toolMode !== 'direct'
  const turns: Message[] = []
  const outputs: unknown[] = []
  let form: Form = 'json'
  const steps = oneSnippet ? 1 : template.next ? 2 : 1
  let args: Record<string, unknown> | undefined = task.args
  for (let step = 0; step < steps && args; step++) {
    const toolName = step === 0 ? template.tool : (template.next as TaskStep).tool
    form = oneSnippet ? 'code' : (formFor(offer, toolName) as Form)
    const call: ToolCallToRun = {
      id: `call_${step + 1}`,
      ...(oneSnippet
        ? { name: EXECUTE_CODE, arguments: JSON.stringify({ code: (template.next as TaskStep).code(args) }) }
        : outerCall(form, byName(toolName), args)),
    }
    const outcome = await runner.run(call, where)
    if (!outcome.ok) return outcome
    const output = innerOutput(form, outcome.output)
    if (oneSnippet) outputs.push(...(Array.isArray(output) ? output : [output]))
    else outputs.push(output)
    turns.push(
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: outcome.content },
    )
    args = step === 0 && template.next && !oneSnippet ? template.next.args(output) : undefined
  }
  let answer: string
  try {
    answer = template.summarise(template.next ? outputs : outputs[0], task.args, task.vars ?? {})
  } catch (error) {
    return { ok: false, message: `its result could not be summarised (${(error as Error).message})` }
  }
  return {
    ok: true,
    example: {
      messages: [
        { role: 'system', content: offer.systemPrompt },
        { role: 'user', content: task.prompt },
        ...turns,
        { role: 'assistant', content: answer },
      ],
      tools: offer.tools,
      metadata: {
        id: `${GENERATOR}/${template.id}/${template.tool}/${offer.toolMode}-${n}`,
        source: 'punie dataset generate',
        category: template.tool,
        toolMode: form === 'code' ? 'code' : 'direct',
        punieToolMode: offer.toolMode,
      },
    },
  }
}

function outerCall(
  form: Form,
  tool: Tool,
  args: Record<string, unknown>,
): { name: string; arguments: string } {
  switch (form) {
    case 'json':
      return { name: tool.name, arguments: JSON.stringify(args) }
    case 'call_tool':
      return { name: CALL_TOOL, arguments: JSON.stringify({ name: tool.name, arguments: args }) }
    case 'code':
      return { name: EXECUTE_CODE, arguments: JSON.stringify({ code: codeForCall(tool, args) }) }
  }
}

/** The tool's own result inside what the outer call returned. */
function innerOutput(form: Form, output: unknown): unknown {
  const value = output as { output?: unknown; result?: unknown }
  if (form === 'call_tool') return value.output
  if (form === 'code') return value.result
  return output
}
