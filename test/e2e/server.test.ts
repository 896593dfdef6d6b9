// `punie serve` as a real process: tokens, isolation between clients and projects, malformed frames, the REST
// view and event stream, and a graceful shutdown, all through the SDK's WebSocket client or raw sockets.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AcpHarness } from '../helpers/acp-harness.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { connectOverWebSocket, readServerFileIn, type ServedPunie, startServe } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

let model: ScriptedModelServer
let served: ServedPunie
let home: string
const cleanups: (() => void | Promise<void>)[] = []

function tempDir(prefix: string) {
  const dir = makeTempDir(prefix)
  cleanups.push(dir.remove)
  return dir.path
}

function lastUserText(body: { messages: { role: string; content: string | null }[] }): string {
  return [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
}

async function client(): Promise<AcpHarness> {
  const acp = connectOverWebSocket(served)
  cleanups.push(() => acp.close())
  await acp.initialize()
  return acp
}

const api = (path: string, token?: string) =>
  fetch(`${served.url}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {})

// biome-ignore lint/suspicious/noExplicitAny: JSON from the REST API, checked by the assertions
const json = async (path: string): Promise<any> => (await api(path, served.token)).json()

function resumeTokenOf(response: { _meta?: Record<string, unknown> | null }): string {
  const token = (response._meta?.punie as { resumeToken?: unknown } | undefined)?.resumeToken
  if (typeof token !== 'string') throw new Error('session/new gave no resume token')
  return token
}

beforeEach(async () => {
  home = tempDir('punie-home-')
  model = await ScriptedModelServer.start()
  model.always((request) => ({ text: `You said: ${lastUserText(request.body)}` }))
  served = await startServe({ home, args: ['--model', model.spec] })
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  if (served.child.exitCode === null) await served.stop('SIGKILL')
  await model.close()
})

describe('punie serve', () => {
  it('writes server.json with mode 0600 and asks every route but /health for the token', async () => {
    const file = readServerFileIn(home)
    expect(file).toMatchObject({ host: '127.0.0.1', pid: served.child.pid })
    const { statSync } = await import('node:fs')
    expect(statSync(join(home, 'server.json')).mode & 0o777).toBe(0o600)

    const acp = await client()
    const { sessionId } = await acp.newSession(tempDir('punie-ws-'))

    expect((await api('/health')).status).toBe(200)
    for (const token of [undefined, 'wrong-token']) {
      for (const path of ['/api/sessions', `/api/sessions/${sessionId}`, '/api/projects', '/version']) {
        const response = await api(path, token)
        expect(response.status).toBe(401)
        expect(await response.text()).not.toContain(sessionId)
      }
    }
    const listed = await json('/api/sessions')
    expect(listed.sessions.map((s: { id: string }) => s.id)).toEqual([sessionId])
    // The query token is for browsers' WebSockets (docs/server.md); REST routes want the header.
    const byQuery = await fetch(`${served.url}/api/sessions?access_token=${served.token}`)
    expect(byQuery.status).toBe(401)
    const opened = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(`${served.url.replace('http', 'ws')}/acp?access_token=${served.token}`)
      socket.on('open', () => {
        socket.close()
        resolve(true)
      })
      socket.on('unexpected-response', () => resolve(false))
      socket.on('error', () => resolve(false))
    })
    expect(opened).toBe(true)

    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${served.url.replace('http', 'ws')}/acp`, {
        headers: { Authorization: 'Bearer wrong-token' },
      })
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      socket.on('open', () => reject(new Error('opened without the token')))
      socket.on('error', () => undefined)
    })
    expect(refused).toBe(401)

    const fromElsewhere = await fetch(`${served.url}/version`, {
      headers: { Authorization: `Bearer ${served.token}`, Origin: 'https://evil.example' },
    })
    expect(fromElsewhere.status).toBe(403)
  })

  it('keeps concurrent clients and projects apart: none can read, prompt or cancel another one’s session', async () => {
    const repo = tempDir('punie-repo-')
    mkdirSync(join(repo, '.git'))
    mkdirSync(join(repo, 'pkg'))
    const other = tempDir('punie-other-')
    const [alice, bob] = await Promise.all([client(), client()])
    const a = await alice.newSession(join(repo, 'pkg'))
    const b = await bob.newSession(other)
    const resumeToken = resumeTokenOf(a)
    expect(resumeToken).toMatch(/^[\w-]{40,}$/)

    const [answerA, answerB] = await Promise.all([
      alice.prompt(a.sessionId, 'I am Alice'),
      bob.prompt(b.sessionId, 'I am Bob'),
    ])
    expect([answerA.stopReason, answerB.stopReason]).toEqual(['end_turn', 'end_turn'])
    expect(alice.agentText(a.sessionId)).toBe('You said: I am Alice')
    expect(bob.agentText(b.sessionId)).toBe('You said: I am Bob')

    const notYours = { code: -32002 }
    await expect(
      bob.agent.request(methods.agent.session.load, { sessionId: a.sessionId, cwd: other, mcpServers: [] }),
    ).rejects.toMatchObject(notYours)
    await expect(
      bob.agent.request(methods.agent.session.resume, { sessionId: a.sessionId, cwd: other }),
    ).rejects.toMatchObject(notYours)
    await expect(bob.prompt(a.sessionId, 'hijack')).rejects.toMatchObject({ code: -32002 })
    expect(bob.updates(a.sessionId)).toEqual([])
    const bobList = await bob.agent.request(methods.agent.session.list, {})
    expect(bobList.sessions.map((s) => s.sessionId)).toEqual([b.sessionId])
    const guessed = await bob.agent.request(methods.agent.session.list, {
      _meta: { punie: { resumeTokens: { [a.sessionId]: 'a-guess' } } },
    })
    expect(guessed.sessions.map((s) => s.sessionId)).toEqual([b.sessionId])

    // Bob's cancel of Alice's running turn is ignored: her turn finishes normally.
    model.enqueue({ text: 'a slow and complete answer', chunkSize: 2, delayMs: 30 })
    const running = alice.prompt(a.sessionId, 'take your time')
    await alice.waitFor(() => alice.agentText(a.sessionId).length > 'You said: I am Alice'.length)
    await bob.cancel(a.sessionId)
    expect((await running).stopReason).toBe('end_turn')

    // The resume token lets a new connection (Alice again, later) take her session back.
    const again = await client()
    await again.agent.request(methods.agent.session.resume, {
      sessionId: a.sessionId,
      cwd: join(repo, 'pkg'),
      _meta: { punie: { resumeToken } },
    })
    expect((await again.prompt(a.sessionId, 'back again')).stopReason).toBe('end_turn')
    expect(again.agentText(a.sessionId)).toBe('You said: back again')

    const projects = (await json('/api/projects')).projects
    expect(projects.map((p: { root: string }) => p.root).sort()).toEqual([other, repo].sort())
    const repoSessions = await json(`/api/sessions?project=${encodeURIComponent(repo)}`)
    expect(repoSessions.sessions).toEqual([
      expect.objectContaining({ id: a.sessionId, project: repo, cwd: join(repo, 'pkg') }),
    ])
  })

  it('answers a malformed frame with a parse error, keeps the socket, and closes on an oversized message', async () => {
    const socket = new WebSocket(`${served.url.replace('http', 'ws')}/acp`, {
      headers: { Authorization: `Bearer ${served.token}` },
    })
    const received: unknown[] = []
    let wake: () => void = () => undefined
    socket.on('message', (data) => {
      received.push(JSON.parse(String(data)))
      wake()
    })
    const next = async () => {
      while (!received.length) await new Promise<void>((resolve) => (wake = resolve))
      return received.shift()
    }
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send('{this is not json')
    expect(await next()).toMatchObject({ id: null, error: { code: -32700 } })
    socket.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }),
    )
    expect(await next()).toMatchObject({ id: 1, result: { protocolVersion: 1 } })
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'no/such_method', params: {} }))
    expect(await next()).toMatchObject({ id: 2, error: { code: -32601 } })

    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    socket.send('x'.repeat(9 * 1024 * 1024))
    expect(await closed).toBe(1009)
    expect((await api('/health')).status).toBe(200)
  })

  it('streams a session’s events live over SSE, from the event after Last-Event-ID', async () => {
    const acp = await client()
    const { sessionId } = await acp.newSession(tempDir('punie-ws-'))
    await acp.prompt(sessionId, 'first')
    const transcript = (await json(`/api/sessions/${sessionId}`)).events
    const lastSeq = transcript[transcript.length - 1].seq

    const controller = new AbortController()
    const response = await fetch(`${served.url}/api/sessions/${sessionId}/events`, {
      headers: { Authorization: `Bearer ${served.token}`, 'Last-Event-ID': String(lastSeq) },
      signal: controller.signal,
    })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const prompted = acp.prompt(sessionId, 'second')
    let text = ''
    while (!text.includes('event: turn.end')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    await prompted
    const events = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)))
    expect(events[0].seq).toBe(lastSeq + 1)
    expect(events.map((e: { type: string }) => e.type)).toContain('message.delta')
    expect(events.at(-1)).toMatchObject({ type: 'turn.end', stopReason: 'end_turn' })
  })

  it('ends running turns as cancelled on SIGTERM, and the session resumes after a restart', async () => {
    const acp = await client()
    const cwd = tempDir('punie-ws-')
    const created = await acp.newSession(cwd)
    const resumeToken = resumeTokenOf(created)
    model.enqueue({ text: 'x'.repeat(400), chunkSize: 1, delayMs: 20 })
    const running = acp.prompt(created.sessionId, 'long one')
    await acp.waitFor(() => acp.agentText(created.sessionId).length > 3)
    await served.child.kill('SIGTERM')
    expect((await running).stopReason).toBe('cancelled')
    expect(await served.exited).toBe(0)
    expect(readServerFileIn(home)?.pid).toBeUndefined()

    served = await startServe({ home, args: ['--model', model.spec] })
    const back = await client()
    await back.agent.request(methods.agent.session.resume, {
      sessionId: created.sessionId,
      cwd,
      _meta: { punie: { resumeToken } },
    })
    expect((await back.prompt(created.sessionId, 'still there?')).stopReason).toBe('end_turn')
    const events = (await json(`/api/sessions/${created.sessionId}`)).events
    expect(
      events
        .filter((e: { type: string }) => e.type === 'turn.end')
        .map((e: { stopReason: string }) => e.stopReason),
    ).toEqual(['cancelled', 'end_turn'])
  })
})
