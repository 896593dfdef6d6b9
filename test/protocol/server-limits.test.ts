// The server in this process, with short limits: idle sockets are closed unless a turn is running, auth can be
// off only on loopback, and a second server is refused while the first one runs.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type ClosableCore, createAgentCore } from '../../src/core/core.js'
import { silentLogger } from '../../src/log/logger.js'
import { type RunningPunieServer, ServerStartError, startServer } from '../../src/server/server.js'
import { writeServerFile } from '../../src/server/server-file.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { connectOverWebSocket } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

let home: { path: string; remove: () => void }
let core: ClosableCore
let model: ScriptedModelServer
const servers: RunningPunieServer[] = []

const start = (options: { host?: string; auth?: boolean; idleTimeoutMs?: number } = {}) =>
  startServer({
    host: options.host ?? '127.0.0.1',
    port: 0,
    version: 'test',
    core,
    serverFile: join(home.path, 'server.json'),
    auth: options.auth ?? true,
    allowedOrigins: [],
    limits: { idleTimeoutMs: options.idleTimeoutMs ?? 60_000, heartbeatMs: 50 },
    logger: silentLogger,
  }).then((server) => {
    servers.push(server)
    return server
  })

beforeEach(async () => {
  home = makeTempDir('punie-home-')
  model = await ScriptedModelServer.start()
  core = await createAgentCore({
    home: home.path,
    env: {},
    logger: silentLogger,
    flags: { model: model.spec },
  })
})

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
  await core.close()
  await model.close()
  home.remove()
})

describe('server limits', () => {
  it('closes an idle socket, but not while its turn is running', async () => {
    const server = await start({ idleTimeoutMs: 300 })
    const busy = connectOverWebSocket({ url: server.url, token: server.token as string })
    await busy.initialize()
    const { sessionId } = await busy.newSession(home.path)
    model.enqueue({ text: 'y'.repeat(60), chunkSize: 1, delayMs: 15 })
    // The turn outlasts the idle timeout (about 900 ms against 300 ms) and still ends normally.
    expect((await busy.prompt(sessionId, 'slow please')).stopReason).toBe('end_turn')

    const idle = new WebSocket(`${server.url.replace('http', 'ws')}/acp`, {
      headers: { Authorization: `Bearer ${server.token}` },
    })
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      idle.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    )
    expect(await closed).toEqual({ code: 1001, reason: 'idle timeout' })
  })

  it('runs without a token only on loopback', async () => {
    await expect(start({ host: '0.0.0.0', auth: false })).rejects.toThrow(ServerStartError)
    const open = await start({ auth: false })
    expect((await fetch(`${open.url}/api/projects`)).status).toBe(200)
  })

  it('refuses to start while another server runs', async () => {
    const other = spawn('sleep', ['30'])
    try {
      writeServerFile(join(home.path, 'server.json'), {
        token: 't',
        host: '127.0.0.1',
        port: 1,
        pid: other.pid,
      })
      await expect(start()).rejects.toThrow(/already running at http:\/\/127\.0\.0\.1:1/)
    } finally {
      other.kill()
    }
  })
})
