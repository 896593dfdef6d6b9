// The dashboard as a browser meets it, without a browser: a sign-in link from the real `punie dashboard`, the
// cookie it sets, requests that carry it (with the page's Origin), and server-sent event streams.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { BIN } from './acp-harness.js'
import type { ServedPunie } from './server.js'

const run = promisify(execFile)

/** A link from `punie dashboard --no-open`, as a user would get it. */
export async function signInLink(home: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, 'dashboard', '--no-open'], {
    env: { ...process.env, PUNIE_HOME: home },
  })
  const link = /https?:\/\/\S+\/login\?code=\S+/.exec(stdout)?.[0]
  if (!link) throw new Error(`punie dashboard printed no link:\n${stdout}`)
  return link
}

export interface BrowserLike {
  cookie: string
  /** A request as the dashboard page makes it: the cookie, its Origin, and JSON for a body. */
  fetch(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API, checked by the assertions
  json(path: string): Promise<any>
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API, checked by the assertions
  post(path: string, body: unknown): Promise<{ status: number; body: any }>
}

export async function signIn(served: ServedPunie, home: string): Promise<BrowserLike> {
  const response = await fetch(await signInLink(home), { redirect: 'manual' })
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`)
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const browser: BrowserLike = {
    cookie,
    fetch: (path, init = {}) =>
      fetch(`${served.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          Cookie: cookie,
          Origin: served.url,
          ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }),
    json: async (path) => (await browser.fetch(path)).json(),
    post: async (path, body) => {
      const answer = await browser.fetch(path, { method: 'POST', body })
      return { status: answer.status, body: await answer.json() }
    },
  }
  return browser
}

export interface SseMessage {
  event: string
  data: string
  id?: string
}

/** Reads a server-sent event stream; `next(match)` waits (up to a deadline) for a message that matches. */
export function readSse(response: Response) {
  if (!response.body) throw new Error('no event stream')
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  const seen: SseMessage[] = []
  let buffer = ''
  let cursor = 0
  const pump = async (): Promise<boolean> => {
    const { value, done } = await reader.read()
    if (done) return false
    buffer += decoder.decode(value, { stream: true })
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const message: SseMessage = { event: 'message', data: '' }
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) message.event = line.slice(6).trim()
        else if (line.startsWith('data:')) message.data += line.slice(5).trimStart()
        else if (line.startsWith('id:')) message.id = line.slice(3).trim()
      }
      if (message.data) seen.push(message)
      end = buffer.indexOf('\n\n')
    }
    return true
  }
  return {
    seen,
    async next(match: (message: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        while (cursor < seen.length) {
          const message = seen[cursor++] as SseMessage
          if (match(message)) return message
        }
        if (Date.now() > deadline)
          throw new Error(`no matching event; saw ${seen.map((m) => m.event).join(', ')}`)
        const more = await Promise.race([
          pump(),
          new Promise<boolean>((resolve) =>
            setTimeout(() => resolve(true), Math.max(1, deadline - Date.now())),
          ),
        ])
        if (!more) throw new Error('the event stream ended')
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  }
}

/** Polls `probe` until it gives a value other than undefined or false: a deadline, not a timing assertion. */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
