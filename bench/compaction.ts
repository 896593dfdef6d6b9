// A long session in a small window: 200 scripted turns (file reads and text) against a server that reports
// a 4,096-token context, enforces it, and counts tokens. What it shows: the largest request stays under the
// window less the reserved output, how often the view was compacted and summarised, how many requests
// extended the one before (prefix-cache hits), and whether turn 1's instruction is still there at the end.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createAgentCore } from '../src/core/core.js'
import { createFileLogger } from '../src/log/logger.js'
import { DEFAULT_AGENT_CONFIG } from '../src/session/config.js'
import { windowFacts } from '../src/session/context.js'
import { builtinTools } from '../src/tools/builtin/index.js'
import type { Tool } from '../src/tools/define.js'
import type { ToolMode } from '../src/tools/tool-mode.js'
import { type RecordedRequest, ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { makeTempDir } from '../test/helpers/temp.js'

const CODEWORD = 'HERON-7731'
/** The core G's prompt work keeps as JSON tools; used when the full default prompt alone exceeds the budget. */
const CORE_TOOLS = ['read_file', 'write_file', 'edit_file', 'grep', 'glob', 'run_command']

export interface ContextFigures {
  window: number
  budget: number
  fixedTokens: number
  setup: string
  turns: number
  requests: number
  largestRequestTokens: number
  overWindowErrors: number
  compactions: number
  summaryRequests: number
  prefixShare: number
  codewordAtLastTurn: boolean
}

const isSummary = (r: RecordedRequest) =>
  r.body.messages[0]?.content?.startsWith('You condense a coding session') ?? false

function module(i: number): string {
  const lines = [
    `"""Module ${i}: helpers for the report pipeline."""`,
    'from dataclasses import dataclass',
    '',
  ]
  for (let j = 0; j < 12; j++) {
    lines.push(`def step_${i}_${j}(rows: list[dict], limit: int = ${j + 10}) -> list[dict]:`)
    lines.push(`    """Keep the rows whose score passes stage ${j}."""`)
    lines.push(`    return [r for r in rows if r.get("score", 0) > ${j} and len(r) < limit]`, '')
  }
  return lines.join('\n')
}

export async function contextFigures(turns = 200, window = 4096): Promise<ContextFigures> {
  const full = await runSession({ turns, window, tools: builtinTools, toolMode: 'both' })
  if (full.requests > 1) return { ...full, setup: 'default tools, --tools both' }
  const core = builtinTools.filter((t) => CORE_TOOLS.includes(t.name))
  const small = await runSession({ turns, window, tools: core, toolMode: 'direct' })
  return {
    ...small,
    setup: `the default prompt alone is ${full.fixedTokens} tokens, over the ${full.budget}-token budget: measured with ${core.length} core tools, --tools direct`,
  }
}

async function runSession(o: {
  turns: number
  window: number
  tools: readonly Tool[]
  toolMode: ToolMode
}): Promise<ContextFigures> {
  const home = makeTempDir('punie-bench-ctx-home-')
  const workspace = makeTempDir('punie-bench-ctx-ws-')
  const model = await ScriptedModelServer.start()
  model.window = { tokens: o.window, via: 'props' }
  for (let i = 0; i < 8; i++) writeFileSync(join(workspace.path, `mod_${i}.py`), module(i))
  model.always((r) => {
    if (isSummary(r))
      return {
        text: 'The user gave a codeword in turn 1 and has since asked, turn by turn, to read the mod_*.py modules and explain their step functions; each filters rows by score. Nothing was changed. Remaining: keep answering questions about the modules.',
      }
    const last = r.body.messages.at(-1)
    if (last?.role === 'tool')
      return {
        text: 'Its step functions keep rows whose score passes a threshold and whose length is under a limit.',
      }
    const ask = /read (mod_\d\.py)/.exec(last?.content ?? '')
    if (ask) return { toolCalls: [{ name: 'read_file', arguments: { path: ask[1] } }] }
    return {
      text: 'Understood. The pipeline filters rows in stages; each stage raises the score threshold by one and caps the row size, so later stages keep fewer rows.',
    }
  })
  const core = await createAgentCore({
    home: home.path,
    env: {},
    logger: createFileLogger({ dir: join(home.path, 'logs'), level: 'warn' }),
    flags: { model: model.spec, toolMode: o.toolMode, mode: 'yolo' },
    tools: o.tools,
  })
  let compactions = 0
  try {
    const session = core.manager.create({ cwd: workspace.path })
    session.subscribe((e) => {
      if (e.type === 'context.compacted') compactions++
    })
    for (let t = 1; t <= o.turns; t++) {
      const text =
        t === 1
          ? `The codeword is ${CODEWORD}; say it whenever I ask for it. We will study the report pipeline.`
          : t % 2 === 0
            ? `Turn ${t}: read mod_${t % 8}.py and tell me what it does.`
            : `Turn ${t}: how do the stages relate to each other?`
      await session.prompt([{ type: 'text', text }])
      if (t === 1 && model.chatRequests().length === 0) break
    }
    const chat = model.chatRequests()
    const turnsRequests = chat.filter((r) => !isSummary(r))
    let extending = 0
    for (let i = 1; i < turnsRequests.length; i++) {
      const before = JSON.stringify(turnsRequests[i - 1]?.body.messages).slice(0, -1)
      if (JSON.stringify(turnsRequests[i]?.body.messages).startsWith(before)) extending++
    }
    const first = turnsRequests[0]
    const lastTurn = turnsRequests.at(-1)
    return {
      window: o.window,
      budget: windowFacts({ maxTokens: DEFAULT_AGENT_CONFIG.maxTokens }, o.window).budget,
      fixedTokens: first ? fixedTokensOf(first) : await measureFixed(o.tools, o.toolMode),
      setup: '',
      turns: o.turns,
      requests: chat.length,
      largestRequestTokens: Math.max(0, ...chat.map((r) => r.promptTokens)),
      overWindowErrors: chat.filter((r) => r.promptTokens + (r.body.max_tokens ?? 0) > o.window).length,
      compactions,
      summaryRequests: chat.filter(isSummary).length,
      prefixShare: turnsRequests.length > 1 ? extending / (turnsRequests.length - 1) : 0,
      codewordAtLastTurn: JSON.stringify(lastTurn?.body.messages ?? []).includes(CODEWORD),
    }
  } finally {
    await core.close()
    await model.close()
    home.remove()
    workspace.remove()
  }
}

/** The first request's size against a window it cannot exceed. */
async function measureFixed(tools: readonly Tool[], toolMode: ToolMode): Promise<number> {
  const home = makeTempDir('punie-bench-ctx-home-')
  const workspace = makeTempDir('punie-bench-ctx-ws-')
  const model = await ScriptedModelServer.start()
  model.window = { tokens: 1_000_000, via: 'props' }
  model.always({ text: 'ok' })
  const core = await createAgentCore({
    home: home.path,
    env: {},
    logger: createFileLogger({ dir: join(home.path, 'logs'), level: 'warn' }),
    flags: { model: model.spec, toolMode },
    tools,
  })
  try {
    await core.manager.create({ cwd: workspace.path }).prompt([{ type: 'text', text: 'hi' }])
    const first = model.chatRequests()[0]
    return first ? fixedTokensOf(first) : 0
  } finally {
    await core.close()
    await model.close()
    home.remove()
    workspace.remove()
  }
}

/** The system prompt and tool schemas of a request, in the server's tokens. */
function fixedTokensOf(r: RecordedRequest): number {
  const tools = r.body.tools?.length ? Math.ceil(Buffer.byteLength(JSON.stringify(r.body.tools)) / 4) : 0
  const system = r.body.messages[0]?.content ?? ''
  return tools + 4 + Math.ceil(Buffer.byteLength(system) / 4)
}
