// What a running call tells a client that asked for progress: its card's events as short messages, and a
// beat while it runs so that the client knows it is alive (and may keep its request timeout from firing).
import type { AgentEventBody } from '../../session/events.js'

const MAX_MESSAGE_CHARS = 300

/** The progress message an event of the call stands for, if any. Pure. */
export function progressMessage(body: AgentEventBody, title: string): string | undefined {
  if (body.type === 'tool.start') return clip(`Started ${body.title}`)
  if (body.type === 'tool.update') {
    const text = body.content?.find((c) => c.type === 'text')?.text
    if (text) return clip(text)
    if (body.status === 'in_progress') return clip(`Running ${title}`)
  }
  if (body.type === 'permission.request') return clip(`Waiting for permission: ${body.title}`)
  return undefined
}

export interface ProgressSink {
  /** Sends one notification; the count only grows, as MCP requires. */
  send(progress: number, message: string): Promise<void>
}

/** Reports a call's progress until stopped: on each event that says something, and every `beatMs` between. */
export class ProgressReporter {
  private count = 0
  private title = ''
  private readonly started = Date.now()
  private readonly beat: NodeJS.Timeout

  constructor(
    private readonly sink: ProgressSink,
    beatMs: number,
  ) {
    this.beat = setInterval(() => {
      const seconds = Math.round((Date.now() - this.started) / 1000)
      this.report(`${this.title || 'The call'} is still running (${seconds} s)`)
    }, beatMs)
    this.beat.unref()
  }

  onEvent(body: AgentEventBody): void {
    if (body.type === 'tool.start') this.title = body.title
    const message = progressMessage(body, this.title)
    if (message) this.report(message)
  }

  stop(): void {
    clearInterval(this.beat)
  }

  private report(message: string): void {
    // A client that has gone or no longer waits for the call is no reason to fail it.
    this.sink.send(++this.count, message).catch(() => undefined)
  }
}

function clip(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}…`
}
