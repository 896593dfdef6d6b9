// Runs one tool call through a whole turn: the scripted model asks for it, then answers with what it got back.
import { methods, type SessionUpdate } from '@agentclientprotocol/sdk'
import type { ReplyBody } from '../helpers/scripted-model.js'
import type { ProtocolFixture } from './fixtures.js'

export interface ToolRun {
  /** What the model read back as the tool result. */
  result: string
  /** The tool_call and tool_call_update updates of this call. */
  cards: SessionUpdate[]
  stopReason: string
}

let counter = 0

export async function runTool(
  f: ProtocolFixture,
  sessionId: string,
  name: string,
  args: unknown,
  /** How the model's call is sent (e.g. a larger chunkSize for huge arguments). */
  reply: Pick<ReplyBody, 'chunkSize'> = {},
): Promise<ToolRun> {
  const id = `call_${++counter}`
  let result = ''
  f.model.enqueue(
    { ...reply, toolCalls: [{ id, name, arguments: args as Record<string, unknown> }] },
    (request) => {
      result = request.body.messages.find((m) => m.role === 'tool' && m.tool_call_id === id)?.content ?? ''
      return { text: 'done' }
    },
  )
  const mark = f.acp.updates(sessionId).length
  const response = await f.acp.prompt(sessionId, `use ${name}`)
  const cards = f.acp
    .updates(sessionId)
    .slice(mark)
    .filter(
      (u) =>
        (u.sessionUpdate === 'tool_call' || u.sessionUpdate === 'tool_call_update') && u.toolCallId === id,
    )
  return { result, cards, stopReason: response.stopReason }
}

export const statuses = (run: ToolRun) =>
  run.cards.map((c) => ('status' in c ? c.status : undefined)).filter(Boolean)

export async function setMode(f: ProtocolFixture, sessionId: string, mode: string) {
  await f.acp.agent.request(methods.agent.session.setConfigOption, {
    sessionId,
    configId: 'mode',
    value: mode,
  })
}
