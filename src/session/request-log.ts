// What each model request carried, logged as a `model.request` event at the cost of its new part only: the
// messages it shares with the session's previous request are counted, not repeated, and the tools are logged
// when they change. A reader rebuilds every request exactly by replaying these events in order (cassettes).
import type { ChatMessage, ToolSchema } from '../model/types.js'

export interface RequestDelta {
  /** Messages kept from the previous logged request, from its start. */
  keep: number
  /** The messages after those. */
  append: ChatMessage[]
  /** The tools offered, when they differ from the previous request's (always on the first). */
  tools?: ToolSchema[]
}

export class RequestLog {
  private messages: string[] = []
  private tools: string | undefined

  /** The delta from the last request logged to this one; remembers this one as the last. */
  next(messages: readonly ChatMessage[], tools: readonly ToolSchema[]): RequestDelta {
    const texts = messages.map((m) => JSON.stringify(m))
    let keep = 0
    while (keep < texts.length && keep < this.messages.length && texts[keep] === this.messages[keep]) keep++
    this.messages = texts
    const toolsText = JSON.stringify(tools)
    const changed = toolsText !== this.tools
    this.tools = toolsText
    return { keep, append: messages.slice(keep), ...(changed ? { tools: [...tools] } : {}) }
  }
}

/** Rebuilds each request from the deltas logged, in order: the reader's half of RequestLog. */
export class RequestRebuilder {
  private messages: ChatMessage[] = []
  private tools: ToolSchema[] = []

  apply(delta: RequestDelta & { purpose?: 'summary' }): { messages: ChatMessage[]; tools: ToolSchema[] } {
    if (delta.purpose) return { messages: [...delta.append], tools: delta.tools ?? [] }
    this.messages = [...this.messages.slice(0, delta.keep), ...delta.append]
    if (delta.tools) this.tools = delta.tools
    return { messages: this.messages, tools: this.tools }
  }
}
