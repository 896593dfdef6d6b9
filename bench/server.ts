// Server figures: what ACP over WebSocket costs against stdio, and memory per session with 20 sessions open.
import { readFileSync } from 'node:fs'
import { methods } from '@agentclientprotocol/sdk'
import { quantile } from '../src/perf/collector.js'
import { type AcpHarness, spawnAgent } from '../test/helpers/acp-harness.js'
import type { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { connectOverWebSocket, startServe } from '../test/helpers/server.js'
import { makeTempDir } from '../test/helpers/temp.js'

const ROUND_TRIPS = 200
const SESSIONS = 20

export interface ServerFigures {
  stdioRoundTripMs: number
  wsRoundTripMs: number
  stdioTurnMs: number
  wsTurnMs: number
  rssOneSessionMb: number
  rssManySessionsMb: number
  mbPerSession: number
}

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  return kb / 1024
}

/** Medians of a cheap request (session/list on a cwd with no sessions) and of a plain text turn. */
async function transportTimings(acp: AcpHarness, workspace: string, turns: number) {
  await acp.initialize()
  const { sessionId } = await acp.newSession(workspace)
  const roundTrips: number[] = []
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now()
    await acp.agent.request(methods.agent.session.list, { cwd: '/nowhere' })
    roundTrips.push(performance.now() - t)
  }
  await acp.prompt(sessionId, 'warm up')
  const turnTimes: number[] = []
  for (let i = 0; i < turns; i++) {
    const t = performance.now()
    await acp.prompt(sessionId, `question ${i}`)
    turnTimes.push(performance.now() - t)
  }
  return { roundTrip: median(roundTrips), turn: median(turnTimes) }
}

export async function serverFigures(model: ScriptedModelServer, turns: number): Promise<ServerFigures> {
  const home = makeTempDir('punie-bench-server-')
  const workspace = makeTempDir('punie-bench-ws-')
  const args = ['--model', model.spec, '--log-level', 'warn']
  try {
    const stdio = spawnAgent({ home: home.path, args })
    const overStdio = await transportTimings(stdio.harness, workspace.path, turns)
    await stdio.harness.close()

    const served = await startServe({ home: home.path, args })
    try {
      const ws = connectOverWebSocket(served)
      const overWs = await transportTimings(ws, workspace.path, turns)
      await ws.close()

      const pid = served.child.pid as number
      const clients = await Promise.all(
        Array.from({ length: SESSIONS }, async () => {
          const client = connectOverWebSocket(served)
          await client.initialize()
          return client
        }),
      )
      const first = clients[0] as AcpHarness
      const firstSession = await first.newSession(workspace.path)
      await first.prompt(firstSession.sessionId, 'hello')
      const rssOne = rssMb(pid)
      await Promise.all(
        clients.slice(1).map(async (client, i) => {
          const { sessionId } = await client.newSession(workspace.path)
          await client.prompt(sessionId, `hello from ${i}`)
        }),
      )
      const rssMany = rssMb(pid)
      await Promise.all(clients.map((c) => c.close()))
      return {
        stdioRoundTripMs: overStdio.roundTrip,
        wsRoundTripMs: overWs.roundTrip,
        stdioTurnMs: overStdio.turn,
        wsTurnMs: overWs.turn,
        rssOneSessionMb: rssOne,
        rssManySessionsMb: rssMany,
        mbPerSession: (rssMany - rssOne) / (SESSIONS - 1),
      }
    } finally {
      await served.stop('SIGTERM')
    }
  } finally {
    home.remove()
    workspace.remove()
  }
}
