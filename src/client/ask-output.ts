// How `punie ask` shows a turn: the answer (markdown in a terminal, plain text otherwise), tool calls as they
// run with their status and duration, and a JSON summary with --json.
import type { SessionUpdate, StopReason, ToolCallContent } from '@agentclientprotocol/sdk'
import { ansi, MarkdownLineRenderer } from './markdown.js'

export interface AskToolCall {
  id: string
  /** The tool's name (`write_file`), when the agent says it. */
  name?: string
  title: string
  kind?: string
  /** The arguments the model passed (ACP `rawInput`). */
  arguments?: unknown
  status: 'pending' | 'in_progress' | 'completed' | 'failed'
  /** What the tool returned (ACP `rawOutput`), else the text of its card. */
  result?: unknown
  /** Why it failed, for a failed call. */
  error?: string
  durationMs?: number
  parentId?: string
}

export interface AskResult {
  sessionId: string
  stopReason: StopReason
  /** Why the turn failed, when it did (the answer then holds the same message). */
  error?: string
  answer: string
  toolCalls: AskToolCall[]
  /** Tokens the model processed for this prompt: prompt plus completion, summed over its requests. */
  tokens?: number
}

export interface AskOutputOptions {
  /** The answer's stream (stdout). */
  out(text: string): void
  /** Progress and notes (stderr when stdout is not a terminal). */
  note(text: string): void
  tty: boolean
  json: boolean
}

export class AskOutput {
  private answer = ''
  private readonly calls = new Map<string, AskToolCall & { startedAt: number }>()
  private tokens: number | undefined
  private readonly markdown = new MarkdownLineRenderer()
  private thinking = false

  constructor(private readonly options: AskOutputOptions) {}

  update(update: SessionUpdate): void {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        if (update.content.type !== 'text') return
        this.endThought()
        this.answer += update.content.text
        if (this.options.json) return
        this.options.out(this.options.tty ? this.markdown.push(update.content.text) : update.content.text)
        return
      case 'agent_thought_chunk':
        if (this.options.json || !this.options.tty || update.content.type !== 'text') return
        if (!this.thinking) this.options.out(ansi.dim('thinking: '))
        this.thinking = true
        this.options.out(ansi.dim(update.content.text.replace(/\n+/g, ' ')))
        return
      case 'tool_call': {
        this.endThought()
        const punie = update._meta?.punie as { tool?: string; parentToolCallId?: string } | undefined
        const parentId = punie?.parentToolCallId
        const call: AskToolCall & { startedAt: number } = {
          id: update.toolCallId,
          ...(punie?.tool ? { name: punie.tool } : {}),
          title: update.title,
          ...(update.kind ? { kind: update.kind } : {}),
          ...(update.rawInput !== undefined ? { arguments: update.rawInput } : {}),
          status: update.status ?? 'pending',
          ...(parentId ? { parentId } : {}),
          startedAt: performance.now(),
        }
        this.calls.set(call.id, call)
        this.progress(`${parentId ? '  ' : ''}▸ ${call.title}`)
        return
      }
      case 'tool_call_update': {
        const call = this.calls.get(update.toolCallId)
        if (!call) return
        if (update.title) call.title = update.title
        if (update.rawInput !== undefined && update.rawInput !== null) call.arguments = update.rawInput
        if (!update.status || update.status === call.status) return
        call.status = update.status
        if (update.status !== 'completed' && update.status !== 'failed') return
        call.durationMs = Math.round(performance.now() - call.startedAt)
        const text = contentText(update.content)
        if (update.status === 'failed') call.error = failureReason(update.rawOutput) ?? text ?? 'failed'
        else if (update.rawOutput !== undefined && update.rawOutput !== null) call.result = update.rawOutput
        else if (text !== undefined) call.result = text
        const mark = update.status === 'completed' ? '✓' : '✗'
        const why = call.error ? `: ${firstLine(call.error)}` : ''
        this.progress(
          `${call.parentId ? '  ' : ''}${mark} ${call.title} (${formatMs(call.durationMs)})${why}`,
        )
        return
      }
      case 'plan':
        this.progress(`plan:\n${update.entries.map((e) => `  [${e.status}] ${e.content}`).join('\n')}`)
        return
      case 'usage_update':
        // One update per model request, `used` being its prompt plus completion: the turn's figure is their sum.
        this.tokens = (this.tokens ?? 0) + update.used
        return
      default:
        return
    }
  }

  /** Ends the output; returns what --json prints. */
  finish(sessionId: string, stopReason: StopReason, error?: string): AskResult {
    this.endThought()
    const result: AskResult = {
      sessionId,
      stopReason,
      ...(error ? { error } : {}),
      answer: this.answer,
      toolCalls: [...this.calls.values()].map(({ startedAt: _s, ...call }) => call),
      ...(this.tokens !== undefined ? { tokens: this.tokens } : {}),
    }
    if (this.options.json) {
      this.options.out(`${JSON.stringify(result, null, 2)}\n`)
      return result
    }
    const rest = this.options.tty ? this.markdown.flush() : ''
    if (rest || (this.answer && !this.answer.endsWith('\n'))) this.options.out(`${rest}\n`)
    if (stopReason !== 'end_turn') this.options.note(`(stopped: ${stopReason})`)
    return result
  }

  private progress(line: string): void {
    if (this.options.json) return
    if (this.options.tty) this.options.out(`${ansi.dim(line)}\n`)
    else this.options.note(line)
  }

  private endThought(): void {
    if (!this.thinking) return
    this.thinking = false
    this.options.out('\n')
  }
}

/** The text of a card's content blocks, if it has any. */
function contentText(content: ToolCallContent[] | null | undefined): string | undefined {
  const texts = (content ?? []).flatMap((c) =>
    c.type === 'content' && c.content.type === 'text' ? [c.content.text] : [],
  )
  return texts.length ? texts.join('\n') : undefined
}

function failureReason(rawOutput: unknown): string | undefined {
  const error = (rawOutput as { error?: unknown } | null | undefined)?.error
  return typeof error === 'string' && error ? error : undefined
}

/** A reason on the progress line: its first line, at most 200 characters. */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}
