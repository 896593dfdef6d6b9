// The first model request of a plain text prompt in each tool mode: its whole body in bytes, an estimated token
// count, and what in it weighs most (each JSON tool, each listed tool, the prompt's own text).
import { spawnAgent } from '../test/helpers/acp-harness.js'
import type { RecordedRequest, ScriptedModelServer } from '../test/helpers/scripted-model.js'

export const TOOL_MODES = ['both', 'direct', 'code'] as const
export type BenchToolMode = (typeof TOOL_MODES)[number]

/** What the first request may weigh in each mode: the budgets docs/tools.md states. */
export const FIRST_REQUEST_BUDGET: Record<BenchToolMode, number> = { both: 6000, direct: 6000, code: 4500 }

export interface Contributor {
  name: string
  bytes: number
}

export interface FirstRequest {
  bytes: number
  /** About 4 bytes a token for English and JSON: a rough figure, the server's tokenizer gives the true one. */
  tokens: number
  contributors: Contributor[]
}

const utf8 = (text: string) => Buffer.byteLength(text)

/** The parts of a request body and their sizes, largest first; they add up to the whole body. */
export function contributors(request: Pick<RecordedRequest, 'body' | 'bytes'>): Contributor[] {
  const parts: Contributor[] = []
  for (const tool of request.body.tools ?? []) {
    parts.push({ name: `${tool.function.name} (JSON tool)`, bytes: utf8(JSON.stringify(tool)) + 1 })
  }
  const system = request.body.messages[0]?.role === 'system' ? (request.body.messages[0].content ?? '') : ''
  let text = 0
  for (const line of system.split('\n')) {
    const listed = /^- (\w+)(\(|: )/.exec(line)
    // JSON-escaped, as the body carries it, plus the newline that joins it.
    const size = utf8(JSON.stringify(line)) - 2 + 2
    if (listed)
      parts.push({ name: `${listed[1]} (${listed[2] === '(' ? 'listed' : 'text tool'})`, bytes: size })
    else text += size
  }
  parts.push({ name: 'system prompt text', bytes: text })
  const counted = parts.reduce((n, p) => n + p.bytes, 0)
  parts.push({ name: 'rest of the request (user prompt, options)', bytes: request.bytes - counted })
  return parts.sort((a, b) => b.bytes - a.bytes)
}

export async function firstRequests(
  home: string,
  workspace: string,
  model: ScriptedModelServer,
): Promise<Record<BenchToolMode, FirstRequest>> {
  const out = {} as Record<BenchToolMode, FirstRequest>
  for (const mode of TOOL_MODES) {
    const probe = spawnAgent({ home, args: ['--model', model.spec, '--log-level', 'warn', '--tools', mode] })
    try {
      await probe.harness.initialize()
      const { sessionId } = await probe.harness.newSession(workspace)
      const mark = model.chatRequests().length
      await probe.harness.prompt(sessionId, 'Reply with one short greeting.')
      const request = model.chatRequests()[mark]
      if (!request) throw new Error(`no model request in ${mode} mode`)
      out[mode] = {
        bytes: request.bytes,
        tokens: Math.ceil(request.bytes / 4),
        contributors: contributors(request),
      }
    } finally {
      await probe.harness.close()
    }
  }
  return out
}
