// A cassette: one recorded session, replayable. Every model request as sent and its answer as received, the
// tool calls and their results, and the workspace files it touched at its start and end; paths inside the
// session's workspace are written relative to WORKSPACE_TOKEN so that a replay in any directory compares equal.
// Versioned JSON, checked with zod on the way in; errors name the field.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { ChatMessage, ToolSchema } from '../model/types.js'
import { RequestLog, RequestRebuilder } from '../session/request-log.js'
import { PERMISSION_MODES } from '../tools/permission.js'
import { TOOL_MODES } from '../tools/tool-mode.js'

export const CASSETTE_VERSION = 1
/** Stands for the session's workspace directory in every recorded text. */
export const WORKSPACE_TOKEN = '<workspace>'

const toolCall = z.strictObject({ id: z.string(), name: z.string(), arguments: z.string() })

const chatMessage = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('system'), content: z.string() }),
  z.strictObject({ role: z.literal('user'), content: z.string() }),
  z.strictObject({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(toolCall).optional(),
  }),
  z.strictObject({ role: z.literal('tool'), toolCallId: z.string(), content: z.string() }),
])

const toolSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
})

const usage = z.strictObject({
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
})

const modelResponse = z.strictObject({
  text: z.string(),
  reasoning: z.string().optional(),
  toolCalls: z.array(toolCall).optional(),
  finish: z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'other']),
  usage: usage.optional(),
})

/**
 * One request and its answer. The request is written as what it adds to the previous one in the cassette
 * (its first `keep` messages, then `append`; its tools where they changed), as the event log has it: each
 * message appears once, and the new part of each request is what a reader sees.
 */
const modelExchange = z.strictObject({
  request: z.number().int().positive(),
  keep: z.number().int().min(0),
  append: z.array(chatMessage),
  tools: z.array(toolSchema).optional(),
  textTools: z.boolean().optional(),
  /** A side request the turn made before its own (a context summary). */
  purpose: z.literal('summary').optional(),
  response: modelResponse.optional(),
  /** The request failed (the model server answered with an error): the replay fails it the same way. */
  failed: z.string().optional(),
})

const recordedToolCall = z.strictObject({
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  /** The call that ran it, for calls made from code run by execute_code. */
  parentId: z.string().optional(),
  status: z.enum(['completed', 'failed']).optional(),
  /** The permission answer the user gave, where the call asked. */
  permission: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always', 'cancelled']).optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
})

const turn = z.strictObject({
  /** The prompt's text, as the model was given it. */
  prompt: z.string(),
  /** The permission and tool modes the turn ran in, where the session changed them. */
  mode: z.enum(PERMISSION_MODES).optional(),
  toolMode: z.enum(TOOL_MODES).optional(),
  exchanges: z.array(modelExchange),
  toolCalls: z.array(recordedToolCall),
  answer: z.string(),
  stopReason: z.enum(['end_turn', 'max_tokens', 'max_turn_requests', 'refusal', 'cancelled']).optional(),
})

/** A file's content, or null where it did not exist. */
const fileMap = z.record(z.string(), z.string().nullable())

export const cassetteSchema = z.strictObject({
  cassette: z.literal(CASSETTE_VERSION),
  punieVersion: z.string(),
  recordedAt: z.string(),
  session: z.strictObject({
    id: z.string(),
    title: z.string().optional(),
    model: z.string(),
    mode: z.enum(PERMISSION_MODES),
    toolMode: z.enum(TOOL_MODES),
    /** The model server's context window the requests were sized for, where a usage report said it. */
    contextWindow: z.number().int().positive().optional(),
  }),
  files: z.strictObject({
    /** Workspace-relative paths at the session's start, as far as the session saw them. */
    start: fileMap,
    end: fileMap,
  }),
  /** Files the session touched whose content at the start is unknown (read in part, say): not replayed. */
  unknownStart: z.array(z.string()),
  turns: z.array(turn),
})

export type Cassette = z.infer<typeof cassetteSchema>
export type CassetteTurn = z.infer<typeof turn>
export type ModelExchange = z.infer<typeof modelExchange>
export type ModelResponse = z.infer<typeof modelResponse>
/** An exchange with its request whole, as it went over the wire. */
export type FullExchange = Omit<ModelExchange, 'keep' | 'append' | 'tools'> & {
  messages: ChatMessage[]
  tools: ToolSchema[]
}
export type RecordedToolCall = z.infer<typeof recordedToolCall>

export class CassetteError extends Error {
  override name = 'CassetteError'
}

export function parseCassette(text: string, source: string): Cassette {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CassetteError(`${source}: not JSON (${(error as Error).message})`)
  }
  const version = (value as { cassette?: unknown } | null)?.cassette
  if (typeof version === 'number' && version !== CASSETTE_VERSION)
    throw new CassetteError(
      `${source}: cassette version ${version}; this Punie reads version ${CASSETTE_VERSION}`,
    )
  const parsed = cassetteSchema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${source}: ${i.message}${i.path.length ? ` (at ${i.path.join('.')})` : ''}`)
    throw new CassetteError(`not a cassette:\n${problems.join('\n')}`)
  }
  return parsed.data
}

export function readCassette(path: string): Cassette {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new CassetteError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`)
  }
  return parseCassette(text, path)
}

/** Every turn's exchanges with their requests rebuilt whole, in order. */
export function fullExchanges(cassette: Cassette): FullExchange[][] {
  const rebuild = new RequestRebuilder()
  let known = 0
  return cassette.turns.map((turn, t) =>
    turn.exchanges.map(({ keep, append, tools, ...rest }) => {
      if (keep > known)
        throw new CassetteError(
          `turn ${t + 1}, request ${rest.request} keeps ${keep} messages of the ${known} before it`,
        )
      const built = rebuild.apply({
        keep,
        append,
        ...(tools ? { tools } : {}),
        ...(rest.purpose ? { purpose: rest.purpose } : {}),
      })
      if (!rest.purpose) known = built.messages.length
      return { ...rest, messages: built.messages, tools: built.tools }
    }),
  )
}

/** The inverse of fullExchanges: each request as what it adds to the one before it. */
export function deltaExchanges(turns: readonly FullExchange[][]): ModelExchange[][] {
  const log = new RequestLog()
  return turns.map((exchanges) =>
    exchanges.map(({ messages, tools, ...rest }) =>
      rest.purpose
        ? { ...rest, keep: 0, append: messages, tools }
        : { ...rest, ...log.next(messages, tools) },
    ),
  )
}

/** Writes the workspace's absolute path as WORKSPACE_TOKEN in every string of `value` (deeply). */
export function relativize<T>(value: T, roots: readonly string[]): T {
  const ordered = [...new Set(roots.filter(Boolean))].sort((a, b) => b.length - a.length)
  const swap = (text: string) => ordered.reduce((t, root) => t.split(root).join(WORKSPACE_TOKEN), text)
  return mapStrings(value, swap)
}

/** The inverse of relativize, for a replay in `root`. */
export function absolutize<T>(value: T, root: string): T {
  return mapStrings(value, (text) => text.split(WORKSPACE_TOKEN).join(root))
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map)) as T
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)])) as T
  return value
}
