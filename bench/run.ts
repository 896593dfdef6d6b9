// `npm run bench`: start-up, session and turn overheads of the real binary, each next to bare `node -e 0`.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { quantile } from '../src/perf/collector.js'
import { type AcpHarness, REPO_ROOT, spawnAgent } from '../test/helpers/acp-harness.js'
import { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { makeTempDir } from '../test/helpers/temp.js'
import { contextFigures } from './compaction.js'
import {
  type BenchToolMode,
  FIRST_REQUEST_BUDGET,
  type FirstRequest,
  firstRequests,
  TOOL_MODES,
} from './context.js'
import { dashboardFigures } from './dashboard.js'
import { datasetFigures } from './dataset.js'
import { devtoolFigures } from './devtools.js'
import { collectorMicrosPerTurn, executeCodeMillis, readFileDispatchMicros } from './dispatch.js'
import { evalOverheadMs } from './eval.js'
import type { Figure } from './figure.js'
import { type FirstTurn, firstTurn, IDLE_AFTER_INITIALIZE_MS, silentIde } from './first-turn.js'
import { grepFigures } from './grep.js'
import { knowledgeFigures } from './knowledge.js'
import { mcpFigures } from './mcp.js'
import { mcpServerFigures } from './mcp-server.js'
import { serverFigures } from './server.js'
import { structuralFigures } from './structural.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 10)
const TURNS = Number(process.env.BENCH_TURNS ?? 20)
const CONTEXT_TURNS = Number(process.env.BENCH_CONTEXT_TURNS ?? 200)

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

async function bareNode(): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
    child.on('exit', () => resolve())
    child.on('error', reject)
  })
  return performance.now() - started
}

/** Peak resident set of a process, from /proc (Linux); undefined elsewhere. */
function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
    return kb ? kb / 1024 : undefined
  } catch {
    return undefined
  }
}

async function main() {
  const home = makeTempDir('punie-bench-home-')
  const workspace = makeTempDir('punie-bench-ws-')
  const model = await ScriptedModelServer.start()
  model.always({ text: 'ok', chunkSize: 64 })
  try {
    await bareNode()
    const bare: number[] = []
    const runs: Record<'busy' | 'idle' | 'tool' | 'nullBusy' | 'nullIdle' | 'silent', FirstTurn[]> = {
      busy: [],
      idle: [],
      tool: [],
      nullBusy: [],
      nullIdle: [],
      silent: [],
    }
    const base = { home: home.path, workspace: workspace.path, model }
    const idleMs = IDLE_AFTER_INITIALIZE_MS
    for (let i = 0; i < RUNS; i++) {
      bare.push(await bareNode())
      runs.busy.push(await firstTurn({ ...base, agent: 'punie', idleMs: 0 }))
      runs.idle.push(await firstTurn({ ...base, agent: 'punie', idleMs }))
      runs.tool.push(await firstTurn({ ...base, agent: 'punie', idleMs, tool: true }))
      runs.nullBusy.push(await firstTurn({ ...base, agent: 'null', idleMs: 0 }))
      runs.nullIdle.push(await firstTurn({ ...base, agent: 'null', idleMs }))
      runs.silent.push(await firstTurn({ ...base, agent: 'punie', idleMs: 0, ide: silentIde() }))
    }
    const of = (kind: keyof typeof runs, key: keyof FirstTurn) => median(runs[kind].map((r) => r[key]))
    const init = runs.busy.map((r) => r.initializeMs)

    // Turns against an instantly answering model: everything measured is Punie's own overhead.
    const agent = spawnAgent({ home: home.path, args: ['--model', model.spec, '--log-level', 'warn'] })
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace.path)
    const before = model.chatRequests().length
    const turns = await timedTextTurns(agent.harness, sessionId)
    const requests = model.chatRequests().slice(before)
    const firstRequestBytes = requests[0]?.bytes ?? 0

    // One-tool turns: the model asks for read_file, then answers; both model replies are instant.
    writeFileSync(join(workspace.path, 'main.py'), 'print("hello")\n')
    const toolTurns: number[] = []
    for (let i = 0; i < TURNS; i++) {
      model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'main.py' } }] }, { text: 'ok' })
      const t = performance.now()
      await agent.harness.prompt(sessionId, `read it ${i}`)
      toolTurns.push(performance.now() - t)
    }
    const rss = agent.child.pid ? peakRssMb(agent.child.pid) : undefined
    await agent.harness.close()
    const dispatchMicros = await readFileDispatchMicros()
    const collectorMicros = collectorMicrosPerTurn()
    const otelTurns = await turnsWithTelemetry(home.path, workspace.path, model)
    const code = await executeCodeMillis()
    const tools = await devtoolFigures()
    const search = await grepFigures()
    const structural = await structuralFigures()
    const server = await serverFigures(model, TURNS)
    const mcpServer = await mcpServerFigures()
    const dashboard = await dashboardFigures()
    const harness = await evalOverheadMs(model)
    const first = await firstRequests(home.path, workspace.path, model)
    const knowledge = await knowledgeFigures(home.path, model)
    const mcp = await mcpFigures(model, TURNS)

    const context = await contextFigures(CONTEXT_TURNS, 4096)
    const dataset = await datasetFigures()

    const bareMs = median(bare)
    const initMs = median(init)
    const figures: Figure[] = [
      {
        name: 'node -e 0 (spawn → exit)',
        value: round(bareMs),
        unit: 'ms',
        note: 'scale for the figures below',
      },
      {
        name: 'spawn → initialize answered',
        value: round(initMs),
        unit: 'ms',
        target: '≤ 1.5× node -e 0',
        note: `${round(initMs / bareMs, 2)}× node -e 0`,
      },
      {
        name: 'spawn → initialize answered, null agent',
        value: round(of('nullBusy', 'initializeMs')),
        unit: 'ms',
        note: 'the same SDK, nothing else',
      },
      {
        name: 'first session/new, sent right after initialize',
        value: round(of('busy', 'firstNewMs')),
        unit: 'ms',
        note: 'the core is still loading',
      },
      {
        name: `first session/new, ${idleMs} ms after initialize`,
        value: round(of('idle', 'firstNewMs')),
        unit: 'ms',
        target: '≤ 20 ms',
        note: 'the core warmed up meanwhile',
      },
      {
        name: 'later session/new',
        value: round(median([...runs.busy, ...runs.idle].map((r) => r.laterNewMs))),
        unit: 'ms',
        target: '≤ 20 ms',
      },
      {
        name: 'first text turn (instant model)',
        value: round(of('idle', 'turnMs')),
        unit: 'ms',
        target: '≤ null agent + 15 ms',
        note: `null agent ${round(of('nullIdle', 'turnMs'))} ms; overhead ${round(of('idle', 'turnMs') - of('nullIdle', 'turnMs'))} ms; prompt → model request ${round(of('idle', 'toRequestMs'))} ms (null ${round(of('nullIdle', 'toRequestMs'))} ms)`,
      },
      {
        name: 'first text turn, session/new right after initialize',
        value: round(of('busy', 'turnMs')),
        unit: 'ms',
        note: `null agent ${round(of('nullBusy', 'turnMs'))} ms; prompt → model request ${round(of('busy', 'toRequestMs'))} ms (null ${round(of('nullBusy', 'toRequestMs'))} ms)`,
      },
      {
        name: 'first tool turn (instant model, read_file)',
        value: round(of('tool', 'turnMs')),
        unit: 'ms',
        target: '≤ null agent + 15 ms',
        note: `null agent text turn ${round(of('nullIdle', 'turnMs'))} ms; overhead ${round(of('tool', 'turnMs') - of('nullIdle', 'turnMs'))} ms for 2 model requests + 1 tool call; prompt → model request ${round(of('tool', 'toRequestMs'))} ms`,
      },
      {
        name: 'first prompt → model request, client never answers extensions',
        value: round(of('silent', 'toRequestMs')),
        unit: 'ms',
        target: '≤ 300 ms wait',
        note: `advertised _punie/discover_tools, never answers; same with a client that answers: ${round(of('busy', 'toRequestMs'))} ms`,
      },
      {
        name: 'text-turn overhead (instant model)',
        value: round(median(turns)),
        unit: 'ms',
        note: `p90 ${round(quantile(turns, 0.9) ?? 0)} ms over ${TURNS} turns`,
      },
      {
        name: 'one-tool-turn overhead (instant model, read_file)',
        value: round(median(toolTurns)),
        unit: 'ms',
        note: `2 model requests + 1 tool call per turn, ${TURNS} turns`,
      },
      {
        name: 'read_file dispatch overhead, I/O excluded',
        value: round(dispatchMicros),
        unit: 'µs/call',
        note: 'parse, validate, permission, events, render',
      },
      {
        name: 'text-turn overhead with OpenTelemetry export on',
        value: round(median(otelTurns)),
        unit: 'ms',
        note: 'spans sent to a local OTLP sink; compare with the text-turn overhead above',
      },
      {
        name: 'perf collector cost per turn',
        value: round(collectorMicros, 2),
        unit: 'µs/turn',
        note: 'reads 8 events per turn; it runs at report time, so live turns pay nothing',
      },
      {
        name: 'execute_code, trivial snippet (warm sandbox)',
        value: round(code.trivial, 2),
        unit: 'ms',
        note: `first run, starting the sandbox: ${round(code.cold)} ms`,
      },
      {
        name: 'execute_code, 10 read_file calls (warm sandbox)',
        value: round(code.tenCalls, 2),
        unit: 'ms',
        note: 'type check + run + 10 dispatches through permission and events',
      },
      {
        name: 'LSP cold start to first answer (pyright)',
        value: round(tools.lspColdMs),
        unit: 'ms',
        note: 'start the language server, open a file, goto_definition across files',
      },
      {
        name: 'LSP warm query (goto_definition)',
        value: round(tools.lspWarmP50, 2),
        unit: 'ms p50',
        note: `p95 ${round(tools.lspWarmP95, 2)} ms`,
      },
      {
        name: 'typecheck, pyright CLI (a process per call)',
        value: round(tools.cliSecondMs),
        unit: 'ms',
        note: `second call; first ${round(tools.cliFirstMs)} ms; ${tools.files} files`,
      },
      {
        name: 'typecheck, warm pyright language server',
        value: round(tools.warmSecondMs),
        unit: 'ms',
        note: `second call; first, starting the server: ${round(tools.warmFirstMs)} ms; same result as the CLI`,
      },
      {
        name: 'diagnostics of one file, warm language server',
        value: round(tools.diagnosticsSecondMs),
        unit: 'ms',
        note: `second call, after a change; first, starting the server: ${round(tools.diagnosticsFirstMs)} ms`,
      },
      {
        name: 'lint latency per file (ruff WebAssembly)',
        value: round(tools.lintP50, 2),
        unit: 'ms p50',
        note: `${tools.lines}-line files; first call, loading ruff: ${round(tools.lintColdMs)} ms`,
      },
      {
        name: 'grep, small file (warm worker thread)',
        value: round(search.warmMs, 2),
        unit: 'ms',
        note: `first call, starting the thread: ${round(search.coldMs)} ms`,
      },
      {
        name: 'grep, catastrophic pattern: cancel to stopped',
        value: round(search.cancelStopMs, 2),
        unit: 'ms',
        note: `at a ${search.deadlineMs} ms deadline it stops ${round(search.deadlineStopMs, 1)} ms after; longest timer delay meanwhile ${round(search.maxTimerLagMs, 1)} ms (${round(search.idleTimerLagMs, 1)} ms idle)`,
      },
      {
        name: `find_pattern, the calls of one name in ${structural.files} Python files (warm)`,
        value: round(structural.warmMs, 1),
        unit: 'ms',
        note: `${structural.lines} lines; first call, loading the grammar: ${round(structural.coldMs)} ms; ${structural.calls} calls; grep takes ${round(structural.grepMs)} ms and finds ${structural.grepLines} lines${structural.grepLines >= 100 ? ' (its cap)' : ''}`,
      },
      {
        name: 'project rules after an edit (tdom/svcs pack, 14 query rules, one file)',
        value: round(structural.rulesAfterEditMs, 2),
        unit: 'ms',
      },
      {
        name: 'request round trip over WebSocket (punie serve)',
        value: round(server.wsRoundTripMs, 2),
        unit: 'ms',
        note: `stdio ${round(server.stdioRoundTripMs, 2)} ms; session/list, median of 200`,
      },
      {
        name: 'text turn over WebSocket (punie serve)',
        value: round(server.wsTurnMs),
        unit: 'ms',
        note: `stdio ${round(server.stdioTurnMs)} ms; instant model, ${TURNS} turns`,
      },
      {
        name: 'server memory per session, 20 concurrent sessions',
        value: round(server.mbPerSession, 2),
        unit: 'MB',
        note: `RSS ${round(server.rssOneSessionMb)} MB with 1 session, ${round(server.rssManySessionsMb)} MB with 20 (20 WebSocket clients, 1 turn each)`,
      },
      {
        name: 'punie mcp: spawn → initialize answered',
        value: round(mcpServer.startMs),
        unit: 'ms',
        note: `tools/list: ${mcpServer.tools} tools, ${mcpServer.listBytes} B`,
      },
      {
        name: 'punie mcp: read_file round trip',
        value: round(mcpServer.readMs, 2),
        unit: 'ms',
        note: `write_file asked through elicitation and accepted: ${round(mcpServer.askedWriteMs, 2)} ms`,
      },
      {
        name: 'eval harness overhead per case',
        value: round(harness.p50, 1),
        unit: 'ms p50',
        note: `case wall time minus model time: temp workspace, session, scoring, store; ${harness.cases} cases`,
      },
      {
        name: 'session/new with server-everything (stdio)',
        value: round(mcp.newSessionMs),
        unit: 'ms',
        target: '≈ without MCP servers',
        note: `without MCP servers ${round(mcp.plainNewSessionMs)} ms: the server starts in the background`,
      },
      {
        name: 'first text turn with server-everything, right after session/new',
        value: round(mcp.firstTurnMs),
        unit: 'ms',
        note: `waits for the server's tools (at most 10 s); without MCP ${round(mcp.plainFirstTurnMs)} ms`,
      },
      {
        name: 'one-MCP-call turn overhead (instant model, everything__echo)',
        value: round(mcp.callTurnMs),
        unit: 'ms',
        note: `read_file turn in the same session ${round(mcp.readFileTurnMs)} ms; ${TURNS} turns each`,
      },
      {
        name: "server-everything's tools in the first request",
        value: mcp.addedBytes,
        unit: 'bytes',
        target: '≤ 4,696 B (listing budget)',
        note: `${mcp.tools} tools listed in one line each`,
      },
      { name: 'peak RSS of the agent', value: round(rss ?? Number.NaN), unit: 'MB', target: '≤ 120 MB' },
      ...TOOL_MODES.map((mode) => ({
        name: `first model request, --tools ${mode}${mode === 'both' ? ' (default)' : ''}`,
        value: first[mode].bytes,
        unit: 'bytes',
        target: `≤ ${FIRST_REQUEST_BUDGET[mode]} B`,
        note: `≈ ${first[mode].tokens} tokens (bytes/4); largest: ${first[mode].contributors
          .slice(0, 5)
          .map((c) => `${c.name} ${c.bytes} B`)
          .join(', ')}`,
      })),
      {
        name: 'bytes 20 skills add to the first request',
        value: knowledge.twentySkillsBytes - knowledge.emptyBytes,
        unit: 'bytes',
        note: `names and one-sentence descriptions plus load_skill's schema; ${knowledge.twentySkillsBytes} B in all`,
      },
      {
        name: 'bytes a 200 KB AGENTS.md adds to the first request',
        value: knowledge.bigAgentsMdBytes - knowledge.emptyBytes,
        unit: 'bytes',
        target: '≤ 8 KB + marker',
        note: `capped at 8 KB at a line boundary; ${knowledge.bigAgentsMdBytes} B in all`,
      },
      {
        name: 'first model request of the bench session (default mode)',
        value: firstRequestBytes,
        unit: 'bytes',
        note: 'the same request from the session the turn figures use',
      },
      {
        name: `${context.turns}-turn session, 4,096-token window: largest request`,
        value: context.largestRequestTokens,
        unit: 'tokens',
        target: `< ${context.budget} (window − reserved output)`,
        note: `${context.requests} requests, ${context.overWindowErrors} over the window; system prompt + tools ${context.fixedTokens} tokens; ${context.setup}`,
      },
      {
        name: 'compactions in that session',
        value: context.compactions,
        unit: 'times',
        note: `${context.summaryRequests} of them with a summary request (the rest masked old tool results only)`,
      },
      {
        name: 'requests extending the previous request (prefix-cache hits)',
        value: round(context.prefixShare * 100, 1),
        unit: '%',
        note: 'turn requests (summary side requests left out) whose messages array starts with the previous one; only compactions break it',
      },
      {
        name: "turn 1's codeword in the last request",
        value: context.codewordAtLastTurn ? 1 : 0,
        unit: context.codewordAtLastTurn ? '(yes)' : '(no)',
        target: 'yes',
      },
      ...dataset,
      ...dashboard,
      {
        name: 'model requests per plain text turn',
        value: round(requests.length / (TURNS + 1), 2),
        unit: 'requests',
        target: 'exactly 1',
      },
    ]
    print(figures)
    printContributors(first)
    const out = join(REPO_ROOT, 'bench-results')
    mkdirSync(out, { recursive: true })
    const file = join(out, 'latest.json')
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, turns: TURNS, figures, firstRequests: first }, null, 2)}\n`,
    )
    console.log(`\nwrote ${file}`)
  } finally {
    await model.close()
    home.remove()
    workspace.remove()
  }
}

/** Milliseconds per plain text turn, after one warm-up turn. */
async function timedTextTurns(harness: AcpHarness, sessionId: string): Promise<number[]> {
  await harness.prompt(sessionId, 'warm up')
  const turns: number[] = []
  for (let i = 0; i < TURNS; i++) {
    const t = performance.now()
    await harness.prompt(sessionId, `question ${i}`)
    turns.push(performance.now() - t)
  }
  return turns
}

/** Text turns with OpenTelemetry export switched on, spans going to a sink on loopback. */
async function turnsWithTelemetry(
  home: string,
  workspace: string,
  model: ScriptedModelServer,
): Promise<number[]> {
  const sink = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.end('{}'))
  })
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`
  const agent = spawnAgent({
    home,
    args: ['--model', model.spec, '--log-level', 'warn'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
  })
  try {
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace)
    return await timedTextTurns(agent.harness, sessionId)
  } finally {
    await agent.harness.close()
    sink.close()
  }
}

function print(figures: Figure[]) {
  const rows = figures.map((f) => [f.name, `${f.value} ${f.unit}`, f.target ?? '', f.note ?? ''])
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] as string).length), 6))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ')
  console.log(`punie bench — node ${process.version}, ${RUNS} start-ups, ${TURNS} turns\n`)
  console.log(line(['figure', 'value', 'target', 'note']))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(r))
}

/** The five largest parts of each mode's first request. */
function printContributors(first: Record<BenchToolMode, FirstRequest>) {
  for (const mode of TOOL_MODES) {
    const { bytes, tokens, contributors } = first[mode]
    console.log(`\nfirst request, --tools ${mode}: ${bytes} B, ≈ ${tokens} tokens; largest parts:`)
    for (const c of contributors.slice(0, 5)) console.log(`  ${String(c.bytes).padStart(6)} B  ${c.name}`)
  }
}

await main()
