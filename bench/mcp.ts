// The MCP client's costs with the real server-everything: session/new (which must not wait for the server),
// the first prompt's wait for the server's tools, one MCP call's overhead next to read_file's, and the bytes its
// tools add to the first model request.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { quantile } from '../src/perf/collector.js'
import { spawnAgent } from '../test/helpers/acp-harness.js'
import { everythingServer } from '../test/helpers/mcp-servers.js'
import type { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { makeTempDir } from '../test/helpers/temp.js'

export interface McpFigures {
  newSessionMs: number
  plainNewSessionMs: number
  firstTurnMs: number
  plainFirstTurnMs: number
  callTurnMs: number
  readFileTurnMs: number
  addedBytes: number
  tools: number
}

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0

export async function mcpFigures(model: ScriptedModelServer, turns: number): Promise<McpFigures> {
  const home = makeTempDir('punie-bench-mcp-home-')
  const workspace = makeTempDir('punie-bench-mcp-ws-')
  // Trusted, so that a call asks nobody: the figure is the dispatch, not a dialog.
  writeFileSync(join(home.path, 'config.json'), JSON.stringify({ mcpTrust: { everything: true } }))
  writeFileSync(join(workspace.path, 'main.py'), 'print("hello")\n')
  const agent = spawnAgent({ home: home.path, args: ['--model', model.spec, '--log-level', 'warn'] })
  try {
    const acp = agent.harness
    await acp.initialize()
    const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now()
      const value = await run()
      return [value, performance.now() - started]
    }
    // Warm the core first, so that the two session/new figures compare like with like.
    await acp.newSession(workspace.path)
    const [plain, plainNewSessionMs] = await timed(() => acp.newSession(workspace.path))
    const [{ sessionId }, newSessionMs] = await timed(() =>
      acp.agent.request(methods.agent.session.new, { cwd: workspace.path, mcpServers: [everythingServer()] }),
    )
    const before = model.chatRequests().length
    const [, firstTurnMs] = await timed(() => acp.prompt(sessionId, 'hello'))
    const [, plainFirstTurnMs] = await timed(() => acp.prompt(plain.sessionId, 'hello'))
    const [withMcp, without] = model.chatRequests().slice(before)
    const system = withMcp?.body.messages[0]?.content ?? ''
    const callTurns: number[] = []
    const readTurns: number[] = []
    for (let i = 0; i < turns; i++) {
      model.enqueue(
        { toolCalls: [{ name: 'everything__echo', arguments: { message: `m${i}` } }] },
        { text: 'ok' },
      )
      callTurns.push((await timed(() => acp.prompt(sessionId, `echo ${i}`)))[1])
      model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'main.py' } }] }, { text: 'ok' })
      readTurns.push((await timed(() => acp.prompt(sessionId, `read ${i}`)))[1])
    }
    return {
      newSessionMs,
      plainNewSessionMs,
      firstTurnMs,
      plainFirstTurnMs,
      callTurnMs: median(callTurns),
      readFileTurnMs: median(readTurns),
      addedBytes: (withMcp?.bytes ?? 0) - (without?.bytes ?? 0),
      tools: system.split('\n').filter((l) => l.startsWith('- everything__')).length,
    }
  } finally {
    await agent.harness.close()
    home.remove()
    workspace.remove()
  }
}
