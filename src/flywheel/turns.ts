// A stored session cut into its turns: each model turn's events (from the event log) and its conversation
// (from the messages table), paired by the user message the turn committed first. Slash commands have no
// conversation; turns before a /clear lost theirs (the messages table was emptied) and are counted, not made up.
import type { ChatMessage } from '../model/types.js'
import { parseSlashCommand } from '../session/commands.js'
import type { AgentEvent, StopReason } from '../session/events.js'
import { type PromptBlock, promptPlainText, promptToModelText } from '../session/prompt.js'

export interface CapturedTurn {
  turnId: string
  /** 0-based among the session's model turns. */
  index: number
  /** When the turn started (ms since the epoch). */
  at: number
  /** The prompt as the model read it. */
  prompt: string
  /** The user message, then the assistant and tool messages of the turn. */
  messages: ChatMessage[]
  events: AgentEvent[]
  /** Absent when the log has no turn.end (the agent stopped mid-turn). */
  stopReason?: StopReason
}

export interface SessionTurns {
  turns: CapturedTurn[]
  /** Model turns whose conversation is no longer stored (before a /clear). */
  lost: number
}

type TurnStart = Extract<AgentEvent, { type: 'turn.start' }>

export function splitTurns(events: readonly AgentEvent[], messages: readonly ChatMessage[]): SessionTurns {
  const byTurn = new Map<string, AgentEvent[]>()
  const starts: TurnStart[] = []
  let lastClear = -1
  events.forEach((event, i) => {
    if (event.type === 'session.cleared') lastClear = i
    if (!('turnId' in event)) return
    if (event.type === 'turn.start') starts.push(event)
    const list = byTurn.get(event.turnId) ?? []
    list.push(event)
    byTurn.set(event.turnId, list)
  })
  const clearSeq = lastClear >= 0 ? (events[lastClear] as AgentEvent).seq : -1
  const modelTurns = starts.filter((s) => !isSlashCommand(s.prompt))
  const segments = conversationSegments(messages)
  const turns: CapturedTurn[] = []
  let lost = 0
  let next = 0
  modelTurns.forEach((start, index) => {
    if (start.seq < clearSeq) {
      lost++
      return
    }
    const prompt = promptToModelText(start.prompt)
    const segment = segments[next]
    if (!segment || segment[0]?.content !== prompt) {
      lost++
      return
    }
    next++
    const turnEvents = byTurn.get(start.turnId) ?? []
    const end = turnEvents.find((e) => e.type === 'turn.end')
    turns.push({
      turnId: start.turnId,
      index,
      at: start.at,
      prompt,
      messages: segment,
      events: turnEvents,
      ...(end?.type === 'turn.end' ? { stopReason: end.stopReason } : {}),
    })
  })
  return { turns, lost }
}

function isSlashCommand(prompt: PromptBlock[]): boolean {
  return prompt.every((b) => b.type === 'text') && parseSlashCommand(promptPlainText(prompt)) !== undefined
}

/** The history cut before each user message. */
function conversationSegments(messages: readonly ChatMessage[]): ChatMessage[][] {
  const out: ChatMessage[][] = []
  for (const message of messages) {
    if (message.role === 'user' || out.length === 0) out.push([message])
    else (out[out.length - 1] as ChatMessage[]).push(message)
  }
  return out.filter((s) => s[0]?.role === 'user')
}
