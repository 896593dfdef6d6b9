// The dashboard's routes on a real `punie serve`, next to a real ACP client over WebSocket and the scripted
// model: sign-in, live activity, and steering (permission answers, cancel, prompts, mode) from the browser side.
import { chmodSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { basename, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AcpHarness } from '../helpers/acp-harness.js'
import { type BrowserLike, readSse, signIn, signInLink, until } from '../helpers/dashboard.js'
import { ScriptedIde } from '../helpers/ide.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { connectOverWebSocket, type ServedPunie, startServe } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

let model: ScriptedModelServer
let served: ServedPunie
let home: string
let browser: BrowserLike
const cleanups: (() => void | Promise<void>)[] = []

function tempDir(prefix: string) {
  const dir = makeTempDir(prefix)
  cleanups.push(dir.remove)
  return dir.path
}

async function ide(answers: ScriptedIde = new ScriptedIde()): Promise<{ acp: AcpHarness; ide: ScriptedIde }> {
  const acp = connectOverWebSocket(served, answers)
  cleanups.push(() => acp.close())
  await acp.initialize()
  return { acp, ide: answers }
}

const writeThenAnswer = (path: string) =>
  model.enqueue(
    { toolCalls: [{ name: 'write_file', arguments: { path, content: 'from the model\n' } }] },
    (request) => {
      const last = request.body.messages[request.body.messages.length - 1] as { content?: string }
      return { text: `Tool said: ${String(last.content).slice(0, 80)}` }
    },
  )

/** The activity stream, open before the step that should show on it. */
async function activity() {
  const response = await browser.fetch('/api/activity', { headers: { Accept: 'text/event-stream' } })
  expect(response.status).toBe(200)
  const stream = readSse(response)
  cleanups.push(stream.close)
  return stream
}

beforeEach(async () => {
  home = tempDir('punie-dash-home-')
  model = await ScriptedModelServer.start()
  served = await startServe({ home, args: ['--model', model.spec] })
  browser = await signIn(served, home)
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  if (served.child.exitCode === null) await served.stop('SIGKILL')
  await model.close()
})

describe('dashboard sign-in', () => {
  it('serves nothing without the cookie or the token, and a link signs in once', async () => {
    for (const path of ['/', '/api/overview', '/api/activity', '/assets/x.js', '/perf/report.html']) {
      const response = await fetch(`${served.url}${path}`, { headers: { Accept: 'text/html' } })
      expect(response.status, path).toBe(401)
    }
    const page = await fetch(`${served.url}/`, { headers: { Accept: 'text/html' } })
    expect(await page.text()).toContain('punie dashboard')

    const link = await signInLink(home)
    expect(link).not.toContain(served.token)
    const first = await fetch(link, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/')
    const setCookie = first.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    expect(setCookie).not.toContain(served.token)
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401)

    const cookie = setCookie.split(';')[0] as string
    const index = await fetch(`${served.url}/`, { headers: { Cookie: cookie } })
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const html = await index.text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string
    expect((await fetch(`${served.url}${script}`, { headers: { Cookie: cookie } })).status).toBe(200)
    expect((await fetch(`${served.url}${script}`)).status).toBe(401)
    // The token still opens every route for programs.
    const byToken = await fetch(`${served.url}/api/overview`, {
      headers: { Authorization: `Bearer ${served.token}` },
    })
    expect(byToken.status).toBe(200)
  })

  it('opens a one-time link in the browser with `punie serve --open`', async () => {
    const dir = tempDir('punie-dash-browser-')
    const opened = join(dir, 'opened.txt')
    const fakeBrowser = join(dir, 'browser.sh')
    // $BROWSER is the user's choice of browser; this one notes the link it was given.
    writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
    chmodSync(fakeBrowser, 0o755)
    const otherHome = tempDir('punie-dash-home2-')
    const second = await startServe({
      home: otherHome,
      args: ['--model', model.spec, '--open'],
      env: { BROWSER: fakeBrowser },
    })
    cleanups.push(async () => void (await second.stop()))
    const link = await until(async () => {
      try {
        return readFileSync(opened, 'utf8') || undefined
      } catch {
        return undefined
      }
    })
    expect(link).toMatch(new RegExp(`^${second.url}/login\\?code=`))
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303)
    expect(second.output()).toContain('Opened the dashboard in your browser')
  })

  it('refuses a change without the page’s Origin, from another site, or not sent as JSON', async () => {
    const cwd = tempDir('punie-dash-ws-')
    const attempt = (headers: Record<string, string>, body = JSON.stringify({ cwd })) =>
      fetch(`${served.url}/api/sessions`, {
        method: 'POST',
        headers: { Cookie: browser.cookie, ...headers },
        body,
      })
    expect((await attempt({ 'Content-Type': 'application/json' })).status).toBe(403)
    expect(
      (await attempt({ Origin: 'http://evil.example', 'Content-Type': 'application/json' })).status,
    ).toBe(403)
    expect((await attempt({ Origin: served.url, 'Content-Type': 'text/plain' })).status).toBe(415)
    expect(
      (
        await attempt({
          Origin: served.url,
          'Content-Type': 'application/json',
          'Sec-Fetch-Site': 'cross-site',
        })
      ).status,
    ).toBe(403)
    const overview = await browser.json('/api/overview')
    expect(overview.sessions).toEqual([])
    // A page whose own name was made to resolve to 127.0.0.1 (DNS rebinding) sends that name as Host.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL('/api/overview', served.url)
      get(url, { headers: { Host: `evil.example:${url.port}`, Cookie: browser.cookie } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      }).on('error', reject)
    })
    expect(rebound).toBe(421)
    // A signed-in browser cannot mint links: only the token holder can.
    expect((await browser.post('/api/sign-in-link', {})).status).toBe(403)
    expect((await browser.post('/api/sessions', { cwd: 'relative/dir' })).body.error).toContain('absolute')
    expect((await browser.post('/api/sessions', { cwd, mode: 'reckless' })).status).toBe(400)
    const broken = await browser.fetch('/api/sessions', { method: 'POST', headers: {}, body: undefined })
    expect(broken.status).toBe(415)
  })
})

describe('dashboard steering', () => {
  it('shows a session an ACP client starts, live, and its permission request; the browser’s yes lets the turn finish', async () => {
    const stream = await activity()
    const { acp, ide: editor } = await ide(new ScriptedIde().answerPermissions('hold'))
    const cwd = tempDir('punie-dash-ws-')
    const { sessionId } = await acp.newSession(cwd)
    const opened = await stream.next((m) => JSON.parse(m.data).id === sessionId)
    expect(JSON.parse(opened.data)).toMatchObject({ client: 'acp', open: true, activity: { state: 'idle' } })

    writeThenAnswer('notes.txt')
    const turn = acp.prompt(sessionId, 'write the notes')
    const waiting = JSON.parse(
      (await stream.next((m) => JSON.parse(m.data).activity.state === 'permission')).data,
    )
    expect(waiting.activity.permission.title).toContain('notes.txt')
    expect(editor.permissionRequests).toHaveLength(1)

    const answer = await browser.post(
      `/api/sessions/${sessionId}/permissions/${waiting.activity.permission.toolCallId}`,
      { outcome: 'allow_once' },
    )
    expect(answer).toEqual({ status: 200, body: { answered: 'allow_once' } })
    expect((await turn).stopReason).toBe('end_turn')
    // The IDE's dialog was withdrawn ($/cancel_request), and the write went through the IDE.
    expect(editor.withdrawnPermissions).toEqual([waiting.activity.permission.toolCallId])
    expect(editor.writes.map((w) => w.path)).toEqual([join(cwd, 'notes.txt')])
    // First answer wins: a second one is refused.
    const again = await browser.post(
      `/api/sessions/${sessionId}/permissions/${waiting.activity.permission.toolCallId}`,
      { outcome: 'reject_once' },
    )
    expect(again.status).toBe(409)
    const idle = JSON.parse((await stream.next((m) => JSON.parse(m.data).activity.state === 'idle')).data)
    // The summary made at the turn's end already says it no longer runs.
    expect(idle).toMatchObject({ id: sessionId, turns: 1, running: false })
  })

  it('honours a rejection from the browser: the model reads it and nothing is written', async () => {
    const { acp, ide: editor } = await ide(new ScriptedIde().answerPermissions('hold'))
    const cwd = tempDir('punie-dash-ws-')
    const { sessionId } = await acp.newSession(cwd)
    writeThenAnswer('secret.txt')
    const turn = acp.prompt(sessionId, 'write it')
    const pending = await until(async () => {
      const { session } = await browser.json(`/api/sessions/${sessionId}`)
      return session.activity.state === 'permission' ? session.activity.permission : undefined
    })
    expect(
      (
        await browser.post(`/api/sessions/${sessionId}/permissions/${pending.toolCallId}`, {
          outcome: 'reject_once',
        })
      ).status,
    ).toBe(200)
    expect((await turn).stopReason).toBe('end_turn')
    expect(editor.writes).toEqual([])
    expect(acp.agentText(sessionId)).toContain('rejected')
    const { events } = await browser.json(`/api/sessions/${sessionId}`)
    expect(events.find((e: { type: string }) => e.type === 'permission.response').outcome).toBe('reject_once')
  })

  it('gives the IDE’s answer when it comes first, and then refuses the browser’s', async () => {
    const { acp } = await ide(new ScriptedIde().answerPermissions('allow_once'))
    const { sessionId } = await acp.newSession(tempDir('punie-dash-ws-'))
    writeThenAnswer('a.txt')
    expect((await acp.prompt(sessionId, 'go')).stopReason).toBe('end_turn')
    const { events } = await browser.json(`/api/sessions/${sessionId}`)
    const asked = events.find((e: { type: string }) => e.type === 'permission.request')
    const late = await browser.post(`/api/sessions/${sessionId}/permissions/${asked.toolCallId}`, {
      outcome: 'reject_once',
    })
    expect(late.status).toBe(409)
    expect(late.body.error).toContain('already answered')
  })

  it('cancels an ACP client’s turn from the browser: the client gets cancelled', async () => {
    const { acp } = await ide(new ScriptedIde().answerPermissions('hold'))
    const { sessionId } = await acp.newSession(tempDir('punie-dash-ws-'))
    // Only the call: the cancelled turn asks the model nothing after it.
    model.enqueue({ toolCalls: [{ name: 'write_file', arguments: { path: 'b.txt', content: 'no\n' } }] })
    const turn = acp.prompt(sessionId, 'go')
    await until(async () => (await browser.json(`/api/sessions/${sessionId}`)).session.running || undefined)
    expect((await browser.post(`/api/sessions/${sessionId}/cancel`, {})).status).toBe(202)
    expect((await turn).stopReason).toBe('cancelled')
    expect((await browser.post(`/api/sessions/${sessionId}/cancel`, {})).status).toBe(409)
  })

  it('tells the IDE when the browser switches its session’s mode', async () => {
    const { acp } = await ide()
    const { sessionId } = await acp.newSession(tempDir('punie-dash-ws-'))
    expect((await browser.post(`/api/sessions/${sessionId}/mode`, { mode: 'yolo' })).body.mode).toBe('yolo')
    const told = await until(async () =>
      acp.updates(sessionId).find((u) => u.sessionUpdate === 'current_mode_update'),
    )
    expect(told).toMatchObject({ currentModeId: 'yolo' })
    // The IDE keeps the session: the browser's switch did not take it over.
    expect((await browser.json(`/api/sessions/${sessionId}`)).session.client).toBe('acp')
  })

  it('starts a session and a prompt from the browser, streams the answer, and switches its mode and model', async () => {
    const cwd = tempDir('punie-dash-ws-')
    model.enqueue({ text: 'Hello from the scripted model', chunkSize: 4, delayMs: 2 })
    const created = await browser.post('/api/sessions', { cwd, mode: 'accept-edits', prompt: 'say hello' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ cwd, mode: 'accept-edits', client: 'browser' })
    const id = created.body.id as string
    const events = readSse(await browser.fetch(`/api/sessions/${id}/events`))
    cleanups.push(events.close)
    await events.next((m) => m.event === 'turn.end')
    const text = events.seen
      .filter((m) => m.event === 'message.delta')
      .map((m) => JSON.parse(m.data).text)
      .join('')
    expect(text).toBe('Hello from the scripted model')
    expect(events.seen.filter((m) => m.event === 'message.delta').length).toBeGreaterThan(1)

    model.enqueue({ text: 'second answer' })
    expect((await browser.post(`/api/sessions/${id}/prompt`, { text: 'again' })).status).toBe(202)
    await events.next((m) => m.event === 'turn.end')
    expect((await browser.post(`/api/sessions/${id}/prompt`, { text: '' })).status).toBe(400)

    const moded = await browser.post(`/api/sessions/${id}/mode`, { mode: 'read-only' })
    expect(moded.body.mode).toBe('read-only')
    const other = model.spec.replace(/[^/]+$/, 'other-model')
    const switched = await browser.post(`/api/sessions/${id}/model`, { model: other })
    expect(switched.body.model).toBe(other)
    const detail = await browser.json(`/api/sessions/${id}`)
    expect(detail.models).toEqual(expect.arrayContaining([model.spec, other]))
    expect(detail.modes).toEqual(['ask', 'accept-edits', 'read-only', 'yolo'])
    expect((await browser.post(`/api/sessions/${id}/model`, { model: '::' })).status).toBe(400)
  })

  it('waits for the browser’s answer in a session the browser started, where no IDE can ask', async () => {
    const cwd = tempDir('punie-dash-ws-')
    writeThenAnswer('made.txt')
    const created = await browser.post('/api/sessions', { cwd, prompt: 'make a file' })
    const id = created.body.id as string
    const pending = await until(
      async () => (await browser.json(`/api/sessions/${id}`)).session.activity.permission,
    )
    await browser.post(`/api/sessions/${id}/permissions/${pending.toolCallId}`, { outcome: 'allow_once' })
    await until(async () =>
      (await browser.json(`/api/sessions/${id}`)).session.turns === 1 ? true : undefined,
    )
    expect(readFileSync(join(cwd, 'made.txt'), 'utf8')).toBe('from the model\n')
  })

  it('leaves nothing behind for a refused new session, names a directory one way, and says why a turn failed', async () => {
    const cwd = tempDir('punie-dash-ws-')
    const refused = await browser.post('/api/sessions', { cwd, model: 'not a model spec!!' })
    expect(refused.status).toBe(400)
    expect((await browser.json('/api/overview')).sessions).toEqual([])

    const roundabout = join(cwd, '..', basename(cwd))
    const unreachable = 'http://127.0.0.1:9/v1/nothing-here'
    const created = await browser.post('/api/sessions', {
      cwd: roundabout,
      model: unreachable,
      prompt: 'hello?',
    })
    expect(created.body).toMatchObject({ cwd: realpathSync(cwd), project: realpathSync(cwd) })
    const failed = await until(
      async () => (await browser.json(`/api/sessions/${created.body.id}`)).session.failure,
    )
    expect(failed).toContain('127.0.0.1:9')
  })

  it('ends a signed-out browser’s event streams, and answers a request too large to read', async () => {
    const stream = await activity()
    expect((await browser.post('/api/sign-out', {})).status).toBe(200)
    await expect(stream.next(() => false, 5000)).rejects.toThrow('the event stream ended')
    expect((await browser.fetch('/api/overview')).status).toBe(401)
    const huge = await fetch(`${served.url}/api/overview`, {
      headers: { Authorization: `Bearer ${served.token}`, 'X-Padding': 'x'.repeat(20_000) },
    })
    expect(huge.status).toBe(431)
    // The WebSocket answers only at loopback names too.
    const rebound = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${served.url.replace(/^http/, 'ws')}/acp`, {
        headers: { Authorization: `Bearer ${served.token}`, Host: 'evil.example' },
      })
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      socket.on('open', () => {
        socket.close()
        resolve(101)
      })
      socket.on('error', () => undefined)
    })
    expect(rebound).toBe(421)
  })

  it('reports performance for a session, and the standalone report, and the review page without opt-in', async () => {
    const cwd = tempDir('punie-dash-ws-')
    model.enqueue({ text: 'quick', usage: { prompt_tokens: 50, completion_tokens: 3 } })
    const { body } = await browser.post('/api/sessions', { cwd, prompt: 'hi' })
    await until(async () =>
      (await browser.json(`/api/sessions/${body.id}`)).session.turns === 1 ? true : undefined,
    )
    const perf = await browser.json(`/api/perf?session=${body.id}`)
    expect(perf.figures).toMatchObject({ turns: 1, modelRequests: 1, promptTokens: 50, completionTokens: 3 })
    const report = await browser.fetch(perf.reportUrl)
    expect(report.status).toBe(200)
    expect(await report.text()).toContain('<svg')
    expect(await browser.json('/api/review')).toEqual({ enabled: false, examples: [] })
    expect((await browser.post('/api/review/nope', { decision: 'accepted' })).status).toBe(404)
  })
})
