// The ChatML formats (Hermes / Qwen2.5, Qwen3-Coder): the conversation as the model's template renders it, in
// system/user/assistant turns of plain text: tools inside the system prompt, calls as tags in the assistant's
// text, results as <tool_response> blocks in a user turn. A line is `{"messages": [{role, content}…]}`, which
// every chat trainer takes and a ChatML template renders to exactly the model's text; a `{"text": "<|im_start|>…"}`
// line is read too. Each dialect says how it writes tools and calls; the turn structure is shared here. Pure.
import type { Example, Message, ToolCall, ToolDefinition } from '../example.js'
import { CallMatcher, checked, fail, isRecord, type JsonObject, lineMetadata } from './shared.js'

export interface Turn {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ParsedCall {
  name: string
  /** Canonical JSON text. */
  arguments: string
}

export interface ChatmlDialect {
  /** The system turn's text for a system prompt (absent when the example has none) and the tools offered. */
  systemWithTools(system: string | undefined, tools: readonly ToolDefinition[]): string
  /** A system turn's text split back into the prompt and the tools; no tools block: `tools` is undefined. */
  splitSystem(content: string): { system?: string; tools?: ToolDefinition[] }
  /** An assistant turn with calls; `text` is the assistant's words beside them ('' when none). */
  assistantWithCalls(text: string, calls: readonly ToolCall[]): string
  /** An assistant turn's text split into words and calls; no call: undefined. */
  parseAssistant(
    content: string,
    where: string,
    tools: readonly ToolDefinition[],
  ): { text: string; calls: ParsedCall[] } | undefined
  /** One user turn holding the results of consecutive tool messages. */
  toolResponses(contents: readonly string[]): string
}

export function toTurns(example: Example, dialect: ChatmlDialect): Turn[] {
  const turns: Turn[] = []
  const messages = example.messages
  let start = 0
  const first = messages[0]
  const tools = example.tools ?? []
  if (tools.length) {
    const system = first?.role === 'system' ? first.content : undefined
    if (system !== undefined) start = 1
    turns.push({ role: 'system', content: dialect.systemWithTools(system, tools) })
  }
  for (let i = start; i < messages.length; i++) {
    const m = messages[i] as Message
    if (m.role === 'tool') {
      const contents = [m.content]
      while (messages[i + 1]?.role === 'tool') contents.push((messages[++i] as { content: string }).content)
      turns.push({ role: 'user', content: dialect.toolResponses(contents) })
    } else if (m.role === 'assistant') {
      const text = m.content ?? ''
      turns.push({
        role: 'assistant',
        content: m.tool_calls?.length ? dialect.assistantWithCalls(text, m.tool_calls) : text,
      })
    } else turns.push({ role: m.role, content: m.content })
  }
  return turns
}

export function fromTurns(turns: readonly Turn[], dialect: ChatmlDialect, metadata?: JsonObject): Example {
  const messages: Message[] = []
  let tools: ToolDefinition[] | undefined
  const matcher = new CallMatcher()
  turns.forEach((turn, t) => {
    const where = `messages.${t}`
    if (turn.role === 'system' && t === 0) {
      const split = dialect.splitSystem(turn.content)
      tools = split.tools
      if (split.system !== undefined) messages.push({ role: 'system', content: split.system })
      return
    }
    if (turn.role === 'user') {
      const results = toolResponses(turn.content)
      if (results) {
        for (const content of results)
          messages.push({ role: 'tool', tool_call_id: matcher.result(where), content })
        return
      }
    }
    if (turn.role === 'assistant') {
      const parsed = dialect.parseAssistant(turn.content, where, tools ?? [])
      if (parsed) {
        const ids = matcher.calls(messages.length, parsed.calls.length)
        const message: Message = {
          role: 'assistant',
          tool_calls: parsed.calls.map((c, k) => ({
            id: ids[k] as string,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        }
        if (parsed.text) message.content = parsed.text
        messages.push(message)
        return
      }
      matcher.calls(messages.length, 0)
    }
    messages.push({ role: turn.role, content: turn.content })
  })
  const candidate: JsonObject = { messages }
  if (tools?.length) candidate.tools = tools
  if (metadata) candidate.metadata = metadata
  return checked(candidate)
}

/** A line's turns: from `messages` (role + content strings) or from ChatML `text`. */
export function readTurns(line: unknown): { turns: Turn[]; metadata?: JsonObject } {
  if (!isRecord(line)) fail('a line must be a JSON object')
  const metadata = lineMetadata(line)
  let turns: Turn[]
  if (Array.isArray(line.messages)) {
    turns = line.messages.map((m, i) => {
      if (!isRecord(m)) fail(`messages.${i}: a message must be an object`)
      if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant')
        fail(
          `messages.${i}.role: expected system, user or assistant (results are user turns), got ${JSON.stringify(m.role)}`,
        )
      if (typeof m.content !== 'string') fail(`messages.${i}.content: expected text`)
      return { role: m.role, content: m.content }
    })
  } else if (typeof line.text === 'string') turns = parseChatml(line.text)
  else return fail('expected messages (a list of turns) or text (ChatML)')
  if (turns.length === 0) fail('no turns in the line')
  return metadata ? { turns, metadata } : { turns }
}

const TURN = /<\|im_start\|>(\w+)\n([\s\S]*?)<\|im_end\|>\n?/y

/** ChatML text into turns; anything between or after the turns is an error that says where. */
export function parseChatml(text: string): Turn[] {
  const turns: Turn[] = []
  TURN.lastIndex = 0
  while (TURN.lastIndex < text.length) {
    const at = TURN.lastIndex
    const match = TURN.exec(text)
    if (!match) {
      const rest = text.slice(at)
      if (rest.trim() === '') break
      fail(`text: expected <|im_start|>ROLE at character ${at}, found ${JSON.stringify(rest.slice(0, 30))}`)
    }
    const role = match[1] as string
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      fail(`text: unknown ChatML role ${JSON.stringify(role)} at character ${at}`)
    turns.push({ role, content: match[2] as string })
  }
  return turns
}

/** The text of the turns as ChatML (what the line's messages render to). */
export function renderChatml(turns: readonly Turn[]): string {
  return turns.map((t) => `<|im_start|>${t.role}\n${t.content}<|im_end|>\n`).join('')
}

const OPEN_RESPONSE = '<tool_response>\n'
const CLOSE_RESPONSE = '\n</tool_response>'

/** A user turn made only of <tool_response> blocks: their contents; any other user turn: undefined. */
export function toolResponses(content: string): string[] | undefined {
  const results: string[] = []
  let at = skipSpace(content, 0)
  if (!content.startsWith(OPEN_RESPONSE, at)) return undefined
  while (at < content.length) {
    if (!content.startsWith(OPEN_RESPONSE, at)) return undefined
    const end = content.indexOf(CLOSE_RESPONSE, at + OPEN_RESPONSE.length - 1)
    if (end < 0) return undefined
    // `<tool_response>\n\n</tool_response>` holds an empty result: the close tag's newline is the open's.
    results.push(end < at + OPEN_RESPONSE.length ? '' : content.slice(at + OPEN_RESPONSE.length, end))
    at = skipSpace(content, end + CLOSE_RESPONSE.length)
  }
  return results
}

export function skipSpace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at] as string)) at++
  return at
}
