// Outcome labels of a turn, from what the store knows: how its tool calls ended, what the user answered to
// permission requests, whether tests run after an edit passed, how the turn stopped, and whether the user's
// next prompt retried or corrected it. Pure.
import type { ExampleMetadata } from '../dataset/example.js'
import type { AgentEvent } from '../session/events.js'
import type { CapturedTurn } from './turns.js'

export type Outcome = NonNullable<ExampleMetadata['outcome']>

export const LABELS = [
  'tools-ok',
  'tool-failed',
  'permission-allowed',
  'permission-rejected',
  'permission-cancelled',
  'tests-passed-after-edit',
  'tests-failed-after-edit',
  'tests-fixed',
  'cancelled',
  'stopped',
  'no-answer',
  'retried',
  'corrected',
] as const
export type Label = (typeof LABELS)[number]

/** Labels that make a turn a failure; the others, where present, make it mixed. */
const FAILING: ReadonlySet<Label> = new Set([
  'tests-failed-after-edit',
  'cancelled',
  'stopped',
  'no-answer',
  'retried',
  'corrected',
])
const MIXED: ReadonlySet<Label> = new Set(['tool-failed', 'permission-rejected', 'permission-cancelled'])

// A command that runs a test suite, when the model used run_command instead of run_tests.
const TEST_COMMAND =
  /(?:^|[\s;&|/])(?:pytest|py\.test|python3? -m (?:pytest|unittest)|npm (?:run )?test|npx (?:vitest|jest)|vitest|jest|go test|cargo test|tox)\b/

// The next prompt corrects this turn when it opens with a refusal or a complaint.
const CORRECTION =
  /^\s*(?:no\b|nope\b|wrong\b|incorrect\b|undo\b|revert\b|stop\b|don'?t\b|do not\b|that'?s (?:not|wrong|incorrect)\b|that is (?:not|wrong)\b|this is wrong\b|not (?:what|like that|right)\b|that didn'?t work\b|it (?:still )?(?:fails|doesn'?t work|is broken)\b|try again\b|you broke\b)/i

export interface TurnLabels {
  outcome: Outcome
  labels: Label[]
}

export function labelTurn(turn: CapturedTurn, nextPrompt?: string): TurnLabels {
  const labels = new Set<Label>()
  const kinds = new Map<string, string>()
  const commands = new Map<string, string>()
  let edited = false
  const testRuns: boolean[] = []
  for (const event of turn.events) {
    switch (event.type) {
      case 'tool.start':
        kinds.set(event.toolCallId, event.kind)
        if (event.name === 'run_command') commands.set(event.toolCallId, commandOf(event.input))
        break
      case 'permission.response':
        labels.add(
          event.outcome.startsWith('allow')
            ? 'permission-allowed'
            : event.outcome.startsWith('reject')
              ? 'permission-rejected'
              : 'permission-cancelled',
        )
        break
      case 'tool.end': {
        labels.add(event.status === 'completed' ? 'tools-ok' : 'tool-failed')
        const kind = kinds.get(event.toolCallId)
        if (event.status === 'completed' && (kind === 'edit' || kind === 'delete' || kind === 'move'))
          edited = true
        const passed = testResult(event, commands.get(event.toolCallId))
        if (passed !== undefined && edited) testRuns.push(passed)
        break
      }
    }
  }
  if (labels.has('tool-failed')) labels.delete('tools-ok')
  if (testRuns.length) {
    const last = testRuns[testRuns.length - 1] as boolean
    labels.add(last ? 'tests-passed-after-edit' : 'tests-failed-after-edit')
    if (last && testRuns.includes(false)) labels.add('tests-fixed')
  }
  if (turn.stopReason === 'cancelled') labels.add('cancelled')
  else if (turn.stopReason && turn.stopReason !== 'end_turn') labels.add('stopped')
  const answer = turn.messages.filter((m) => m.role === 'assistant').at(-1)
  if (turn.stopReason === 'end_turn' && !answer?.content.trim()) labels.add('no-answer')
  if (nextPrompt !== undefined) {
    if (isRetry(turn.prompt, nextPrompt)) labels.add('retried')
    else if (CORRECTION.test(nextPrompt)) labels.add('corrected')
  }
  const list = LABELS.filter((l) => labels.has(l))
  const outcome: Outcome = !turn.stopReason
    ? 'unknown'
    : list.some((l) => FAILING.has(l))
      ? 'failure'
      : list.some((l) => MIXED.has(l))
        ? 'mixed'
        : 'success'
  return { outcome, labels: list }
}

/** Whether a test run passed: run_tests' `success`, or the exit code of a test command; undefined if neither. */
function testResult(event: Extract<AgentEvent, { type: 'tool.end' }>, command?: string): boolean | undefined {
  if (event.name === 'run_tests') {
    if (event.status === 'failed') return false
    const success = (event.output as { success?: unknown } | undefined)?.success
    return typeof success === 'boolean' ? success : undefined
  }
  if (command !== undefined && TEST_COMMAND.test(command)) {
    if (event.status === 'failed') return false
    const exitCode = (event.output as { exitCode?: unknown } | undefined)?.exitCode
    return typeof exitCode === 'number' ? exitCode === 0 : undefined
  }
  return undefined
}

function commandOf(input: unknown): string {
  const command = (input as { command?: unknown } | undefined)?.command
  return typeof command === 'string' ? command : ''
}

/** The same request again: equal once case, whitespace and trailing punctuation are set aside. */
export function isRetry(prompt: string, next: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .replace(/[\s.!?]+$/, '')
      .trim()
  const a = norm(prompt)
  const b = norm(next)
  return a.length > 0 && (a === b || b === `${a} again` || b === `again: ${a}`)
}
