// Dashboard figures, in headless Chromium against a real `punie serve`: how soon a permission request an ACP
// client gets shows in the browser, how soon the browser's answer lets the turn go on, the page's size, and
// its first render on a server holding 50 sessions.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { SessionNotification } from '@agentclientprotocol/sdk'
import type { Page } from 'playwright-core'
import { quantile } from '../src/perf/collector.js'
import { REPO_ROOT } from '../test/helpers/acp-harness.js'
import { launchChromium } from '../test/helpers/browser.js'
import { signInLink } from '../test/helpers/dashboard.js'
import { ScriptedIde } from '../test/helpers/ide.js'
import { chromiumPath } from '../test/helpers/needs.js'
import { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { connectOverWebSocket, startServe } from '../test/helpers/server.js'
import { makeTempDir } from '../test/helpers/temp.js'
import type { Figure } from './figure.js'

const ROUNDS = 20
const SESSIONS = 50

const median = (xs: number[]) => quantile(xs, 0.5) ?? 0
const round = (x: number) => Math.round(x * 10) / 10
/** Wall-clock milliseconds with sub-millisecond precision, comparable between this process and the browser. */
const now = () => performance.timeOrigin + performance.now()

/** The built page's JavaScript and CSS, gzipped as a server would send them. */
export function pageSizes(): { jsGzip: number; js: number; cssGzip: number } {
  const dir = join(REPO_ROOT, 'dist', 'dashboard', 'assets')
  const files = readdirSync(dir)
  const sum = (ext: string, gz: boolean) =>
    files
      .filter((f) => f.endsWith(ext))
      .reduce((n, f) => {
        const body = readFileSync(join(dir, f))
        return n + (gz ? gzipSync(body, { level: 9 }).length : body.length)
      }, 0)
  return { jsGzip: sum('.js', true), js: sum('.js', false), cssGzip: sum('.css', true) }
}

export async function dashboardFigures(): Promise<Figure[]> {
  const sizes = pageSizes()
  const size: Figure[] = [
    {
      name: 'dashboard JavaScript (gzip)',
      value: round(sizes.jsGzip / 1024),
      unit: 'KB',
      target: '≤ 30 KB',
      note: `${round(sizes.js / 1024)} KB before gzip; CSS ${round(sizes.cssGzip / 1024)} KB gzip`,
    },
  ]
  if (!existsSync(chromiumPath())) {
    console.log(
      'dashboard bench: no Chromium (apt install chromium, or set CHROMIUM_PATH); browser figures skipped',
    )
    return size
  }
  // Its own model: the bench's shared one keeps its script.
  const model = await ScriptedModelServer.start()
  const home = makeTempDir('punie-bench-dash-')
  const workspace = makeTempDir('punie-bench-dash-ws-')
  const served = await startServe({ home: home.path, args: ['--model', model.spec, '--log-level', 'warn'] })
  const browser = await launchChromium()
  try {
    const ide = new ScriptedIde()
    ide.defaultAnswer = 'hold'
    const asked = new Map<string, number>()
    const ask = ide.requestPermission.bind(ide)
    ide.requestPermission = (params, signal) => {
      asked.set(params.toolCall.toolCallId, now())
      return ask(params, signal)
    }
    const acp = connectOverWebSocket(served, ide)
    const goesOn = new Map<string, number>()
    const record = acp.record.bind(acp)
    acp.record = (notification: SessionNotification) => {
      const update = notification.update
      if (update.sessionUpdate === 'tool_call_update' && update.status === 'in_progress')
        goesOn.set(update.toolCallId, now())
      record(notification)
    }
    await acp.initialize()
    const { sessionId } = await acp.newSession(workspace.path)

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(await signInLink(home.path))
    await page.goto(`${served.url}/#/session/${sessionId}`)
    await page.waitForSelector(`[data-testid=session-view][data-session-id="${sessionId}"]`)
    // In the page (a string: this file is type-checked for Node, not the DOM): when each banner appeared,
    // and when each click happened, on the same clock as `now()` here.
    await page.evaluate(`
      window.shown = {}
      window.clicked = []
      const stamp = () => performance.timeOrigin + performance.now()
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid=permission][data-tool-call-id]'))
          window.shown[el.getAttribute('data-tool-call-id')] ??= stamp()
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
      document.addEventListener('click', () => window.clicked.push(stamp()), true)
    `)

    const toShow: number[] = []
    const toGoOn: number[] = []
    const fromAgent: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      model.enqueue(
        { toolCalls: [{ name: 'write_file', arguments: { path: `f${i}.txt`, content: `${i}\n` } }] },
        { text: 'written' },
      )
      const turn = acp.prompt(sessionId, `write file ${i}`)
      const banner = await page.waitForSelector('[data-testid=permission][data-tool-call-id]')
      const id = (await banner.getAttribute('data-tool-call-id')) as string
      await page.click(`[data-testid=permission][data-tool-call-id="${id}"] button[data-outcome=allow_once]`)
      await turn
      await page.waitForSelector(`[data-testid=permission][data-tool-call-id="${id}"]`, { state: 'detached' })
      const { shown, clicked } = (await page.evaluate(
        '({ shown: window.shown, clicked: window.clicked })',
      )) as {
        shown: Record<string, number>
        clicked: number[]
      }
      toShow.push((shown[id] as number) - (asked.get(id) as number))
      const detail = (await (
        await fetch(`${served.url}/api/sessions/${sessionId}`, {
          headers: { Authorization: `Bearer ${served.token}` },
        })
      ).json()) as { events: { type: string; toolCallId?: string; at: number }[] }
      const request = detail.events.find((e) => e.type === 'permission.request' && e.toolCallId === id)
      if (request) fromAgent.push((shown[id] as number) - request.at)
      toGoOn.push((goesOn.get(id) as number) - (clicked[clicked.length - 1] as number))
    }
    await page.close()

    model.always({ text: 'ok' })
    for (let i = 1; i < SESSIONS; i++) {
      const other = await acp.newSession(workspace.path)
      await acp.prompt(other.sessionId, `question ${i}`)
    }
    const renders = await firstRenders(browser, served.url, home.path)
    await acp.close()
    return [
      ...size,
      {
        name: 'permission request at the ACP client → shown in the browser',
        value: round(median(toShow)),
        unit: 'ms',
        note: `median of ${ROUNDS}; p95 ${round(quantile(toShow, 0.95) ?? 0)} ms (the browser learns of it from the session's event stream)`,
      },
      {
        name: 'permission request made by the agent → shown in the browser',
        value: round(median(fromAgent)),
        unit: 'ms',
        note: `median of ${fromAgent.length}; p95 ${round(quantile(fromAgent, 0.95) ?? 0)} ms (from the event's own time, ms resolution; the IDE is asked at the same moment)`,
      },
      {
        name: "browser's click on Allow → the turn goes on at the ACP client",
        value: round(median(toGoOn)),
        unit: 'ms',
        note: `median of ${ROUNDS}; p95 ${round(quantile(toGoOn, 0.95) ?? 0)} ms (to the tool call's in_progress update)`,
      },
      {
        name: `dashboard overview: first render with ${SESSIONS} sessions`,
        value: round(median(renders.rendered)),
        unit: 'ms',
        note: `from navigation start to all ${SESSIONS} rows drawn, median of ${renders.rendered.length} loads (first, cold: ${round(renders.rendered[0] ?? 0)} ms); first contentful paint ${round(median(renders.paint))} ms`,
      },
    ]
  } finally {
    await browser.close()
    await served.stop()
    await model.close()
    home.remove()
    workspace.remove()
  }
}

async function firstRenders(browser: Awaited<ReturnType<typeof launchChromium>>, url: string, home: string) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page: Page = await context.newPage()
  await page.goto(await signInLink(home))
  await page.addInitScript({
    content: `new MutationObserver((_, observer) => {
      if (document.querySelectorAll('[data-session-id]').length >= ${SESSIONS}) {
        window.rendered = performance.now()
        observer.disconnect()
      }
    }).observe(document, { subtree: true, childList: true })`,
  })
  const rendered: number[] = []
  const paint: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    // A new query each time: the same URL with only a hash would not load the page again.
    await page.goto(`${url}/?load=${i}#/`)
    // Polled from here: a predicate run in the page would be an eval, which the page's CSP forbids.
    const deadline = Date.now() + 10_000
    while ((await page.evaluate('window.rendered')) === undefined) {
      if (Date.now() > deadline) throw new Error('the overview never drew all its rows')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const figures = (await page.evaluate(
      "({ rendered: window.rendered, paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0 })",
    )) as { rendered: number; paint: number }
    rendered.push(figures.rendered)
    paint.push(figures.paint)
  }
  await context.close()
  return { rendered, paint }
}
