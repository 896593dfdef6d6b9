// The dashboard in headless Chromium, on a real `punie serve`, beside a real ACP client over WebSocket (the
// SDK's client side) and the scripted model: sign-in, live state, and steering a turn from the page.
// Screenshots go to each run's temp dir, and to $PUNIE_SCREENSHOTS when it is set.

import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { type AcpHarness, BIN } from '../helpers/acp-harness.js'
import { launchChromium } from '../helpers/browser.js'
import { signInLink, until } from '../helpers/dashboard.js'
import { ScriptedIde } from '../helpers/ide.js'
import { needs } from '../helpers/needs.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { connectOverWebSocket, type ServedPunie, startServe } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)

// CI installs Chromium and requires it (PUNIE_REQUIRE_TOOLS), so these can never be skipped there.
const chromium = needs('chromium')

chromium.describe('the dashboard in a browser', () => {
  // Made in beforeAll: where Chromium is missing the suite is skipped and nothing is left behind.
  let home: ReturnType<typeof makeTempDir>
  let shots: ReturnType<typeof makeTempDir>
  const workspaces: ReturnType<typeof makeTempDir>[] = []
  let model: ScriptedModelServer
  let served: ServedPunie
  let browser: Browser
  let context: BrowserContext
  let acp: AcpHarness
  let ide: ScriptedIde

  const workspace = () => {
    const dir = makeTempDir('punie-dash-browser-ws-')
    workspaces.push(dir)
    return dir.path
  }

  /** The whole page, or (where its header and prompt box stay on screen) just the window. */
  async function screenshot(page: Page, name: string, fullPage = true) {
    await page.screenshot({ path: join(shots.path, `${name}.png`), fullPage })
    const keep = process.env.PUNIE_SCREENSHOTS
    if (keep) {
      mkdirSync(keep, { recursive: true })
      await page.screenshot({ path: join(keep, `${name}.png`), fullPage })
    }
  }

  /** A page signed in with a fresh one-time link, as `punie dashboard` hands it out. */
  async function signedInPage(path = '/#/'): Promise<Page> {
    const page = await context.newPage()
    await page.goto(await signInLink(home.path))
    if (path !== '/#/') await page.goto(`${served.url}${path}`)
    return page
  }

  const writeThenAnswer = (path: string, content = 'from the model\n') =>
    model.enqueue({ toolCalls: [{ name: 'write_file', arguments: { path, content } }] }, (request) => {
      const last = request.body.messages[request.body.messages.length - 1] as { content?: string }
      return { text: `The tool said: ${String(last.content).slice(0, 60)}` }
    })

  beforeAll(async () => {
    home = makeTempDir('punie-dash-browser-home-')
    shots = makeTempDir('punie-dash-shots-')
    model = await ScriptedModelServer.start()
    served = await startServe({ home: home.path, args: ['--model', model.spec] })
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    // Under the test's own 20 s, so that a wait that never ends names what it waited for.
    context.setDefaultTimeout(12_000)
    ide = new ScriptedIde()
    ide.defaultAnswer = 'hold'
    acp = connectOverWebSocket(served, ide)
    await acp.initialize()
  })

  afterAll(async () => {
    await acp?.close()
    await browser?.close()
    if (served?.child.exitCode === null) await served.stop()
    await model?.close()
    for (const dir of workspaces) dir.remove()
    home?.remove()
    if (shots) console.log(`dashboard screenshots: ${shots.path}`)
  })

  chromium.it('shows nothing before the one-time link, and signs in with an HttpOnly cookie', async () => {
    const page = await context.newPage()
    const refused = await page.goto(`${served.url}/`)
    expect(refused?.status()).toBe(401)
    expect(await page.textContent('body')).toContain('punie dashboard')

    const link = await signInLink(home.path)
    await page.goto(link)
    expect(page.url()).toBe(`${served.url}/`)
    await page.waitForSelector('[data-testid=new-session-start]')
    const [cookie] = await context.cookies(served.url)
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    // HttpOnly: the page's own script cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('')

    const again = await context.newPage()
    const reused = await again.goto(link)
    expect(reused?.status()).toBe(401)
    await again.close()
    await page.close()
  })

  chromium.it('shows a session an ACP client starts, live, and approves its permission request', async () => {
    const page = await signedInPage()
    const cwd = workspace()
    const { sessionId } = await acp.newSession(cwd)
    const row = page.locator(`[data-session-id="${sessionId}"]`)
    await row.waitFor()
    expect(await row.getAttribute('data-state')).toBe('idle')

    writeThenAnswer('notes.txt')
    const turn = acp.prompt(sessionId, 'write the notes')
    await page.waitForSelector(`[data-session-id="${sessionId}"][data-state="permission"]`)
    await screenshot(page, 'overview-waiting')

    await row.click()
    const banner = page.locator('[data-testid=permission][data-tool-call-id]')
    await banner.waitFor()
    expect(await banner.textContent()).toContain('notes.txt')
    await banner.locator('button[data-outcome="allow_once"]').click()
    expect((await turn).stopReason).toBe('end_turn')
    // The IDE's dialog was withdrawn, and the IDE wrote the file.
    expect(ide.withdrawnPermissions).toHaveLength(1)
    expect(ide.writes.map((w) => w.path)).toEqual([join(cwd, 'notes.txt')])
    await page.waitForSelector('[data-testid=turn][data-stop-reason="end_turn"]')
    await page.waitForSelector('[data-testid=tool-card][data-status="completed"] [data-testid=diff]')
    expect(await page.locator('[data-testid=permission]').count()).toBe(0)
    await page.close()
  })

  chromium.it(
    'shows what each session is doing, live: thinking, running a tool, waiting for permission',
    async () => {
      const page = await signedInPage()
      const yolo = (sessionId: string) =>
        acp.agent.request(methods.agent.session.setConfigOption, {
          sessionId,
          configId: 'mode',
          value: 'yolo',
        })
      const thinking = await acp.newSession(workspace())
      model.enqueue({ text: 'Let me think about this for a while…', stallAfterChunks: 1 })
      const first = acp.prompt(thinking.sessionId, 'think it over')
      await page.waitForSelector(`[data-session-id="${thinking.sessionId}"][data-state="thinking"]`)

      const tool = await acp.newSession(workspace())
      await yolo(tool.sessionId)
      model.enqueue({ toolCalls: [{ name: 'run_command', arguments: { command: 'sleep 30' } }] })
      const second = acp.prompt(tool.sessionId, 'run the long job')
      await page.waitForSelector(`[data-session-id="${tool.sessionId}"][data-state="tool"]`)
      expect(await page.textContent(`[data-session-id="${tool.sessionId}"]`)).toContain('run_command')

      const asking = await acp.newSession(workspace())
      model.enqueue({
        toolCalls: [{ name: 'write_file', arguments: { path: 'settings.toml', content: 'a = 1\n' } }],
      })
      const third = acp.prompt(asking.sessionId, 'write the settings')
      await page.waitForSelector(`[data-session-id="${asking.sessionId}"][data-state="permission"]`)
      await screenshot(page, 'overview-live')

      for (const id of [thinking.sessionId, tool.sessionId, asking.sessionId]) await acp.cancel(id)
      for (const turn of [first, second, third]) expect((await turn).stopReason).toBe('cancelled')
      for (const id of [thinking.sessionId, tool.sessionId, asking.sessionId])
        await page.waitForSelector(`[data-session-id="${id}"][data-state="idle"]`)
      await page.close()
    },
  )

  chromium.it('marks a turn whose model failed, in the session and the overview, and signs out', async () => {
    const page = await signedInPage()
    await page.fill('[data-testid=new-session-cwd]', workspace())
    await page.fill('[data-testid=new-session-prompt]', 'is anyone there?')
    await page.click('[data-testid=new-session-start]')
    const view = page.locator('[data-testid=session-view][data-session-id]')
    await view.waitFor()
    const id = (await view.getAttribute('data-session-id')) as string
    // The scripted model has nothing queued for this turn: it answers 500, and the turn fails.
    await page.waitForSelector('[data-testid=turn] .stop-failed')
    await page.goto(`${served.url}/#/`)
    await page.waitForSelector(`[data-session-id="${id}"] .badge.failed`)

    await page.click('[data-testid=sign-out]')
    await page.waitForSelector('[data-testid=signed-out]')
    expect((await page.reload())?.status()).toBe(401)
    await page.close()
  })

  chromium.it('honours a rejection from the browser', async () => {
    const cwd = workspace()
    const { sessionId } = await acp.newSession(cwd)
    const page = await signedInPage(`/#/session/${sessionId}`)
    await page.waitForSelector(`[data-testid=session-view][data-session-id="${sessionId}"]`)
    writeThenAnswer('rejected.txt')
    const turn = acp.prompt(sessionId, 'write it')
    await page.locator('[data-testid=permission] button[data-outcome="reject_once"]').click()
    expect((await turn).stopReason).toBe('end_turn')
    expect(ide.writes.some((w) => w.path.endsWith('rejected.txt'))).toBe(false)
    expect(acp.agentText(sessionId)).toContain('rejected')
    await page.waitForSelector('[data-testid=tool-card][data-status="failed"]')
    await page.close()
  })

  chromium.it('cancels a turn from the browser: the ACP client’s prompt ends as cancelled', async () => {
    const { sessionId } = await acp.newSession(workspace())
    const page = await signedInPage(`/#/session/${sessionId}`)
    await page.waitForSelector(`[data-testid=session-view][data-session-id="${sessionId}"]`)
    // Only the call: the cancelled turn asks the model nothing after it.
    model.enqueue({ toolCalls: [{ name: 'write_file', arguments: { path: 'never.txt', content: 'no\n' } }] })
    const turn = acp.prompt(sessionId, 'write and wait')
    await page.waitForSelector('[data-testid=permission]')
    await page.locator('[data-testid=cancel]').click()
    expect((await turn).stopReason).toBe('cancelled')
    await page.waitForSelector('[data-testid=turn][data-stop-reason="cancelled"]')
    await page.close()
  })

  chromium.it(
    'starts a session in a project from the browser and streams the answer to a typed prompt',
    async () => {
      const cwd = workspace()
      const page = await signedInPage()
      await page.fill('[data-testid=new-session-cwd]', cwd)
      model.enqueue({ text: 'Hello! I can see your project.', chunkSize: 3, delayMs: 15 })
      await page.fill('[data-testid=new-session-prompt]', 'say hello')
      await page.selectOption('[data-testid=new-session-model]', model.spec)
      await page.click('[data-testid=new-session-start]')
      const view = page.locator('[data-testid=session-view][data-session-id]')
      await view.waitFor()
      // Every text the answer showed on its way, to see that it streamed rather than arrived whole.
      await page.evaluate(`
      window.seenTexts = new Set()
      new MutationObserver(() => {
        for (const m of document.querySelectorAll('[data-testid=message][data-role=assistant]'))
          window.seenTexts.add(m.textContent)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    `)
      await page.waitForSelector('[data-testid=turn][data-stop-reason="end_turn"]')
      expect(await page.locator('[data-testid=message][data-role=assistant]').last().textContent()).toContain(
        'Hello! I can see your project.',
      )

      model.enqueue({ text: 'A second answer, streamed in small pieces.', chunkSize: 2, delayMs: 20 })
      await page.fill('[data-testid=prompt-input]', 'and again')
      await page.click('[data-testid=prompt-send]')
      await page.waitForSelector('[data-testid=turn][data-stop-reason="end_turn"] >> nth=1')
      const seen = (await page.evaluate('[...window.seenTexts]')) as string[]
      expect(seen.filter((t) => t.includes('A second')).length).toBeGreaterThan(2)
      const sessionId = (await view.getAttribute('data-session-id')) as string
      const prompts = model.requests.map(
        (r) => r.body.messages.filter((m) => m.role === 'user').pop()?.content,
      )
      expect(prompts).toContain('and again')
      const detail = await fetch(`${served.url}/api/sessions/${sessionId}`, {
        headers: { Authorization: `Bearer ${served.token}` },
      }).then((r) => r.json() as Promise<{ session: { model: string; client: string } }>)
      expect(detail.session).toMatchObject({ model: model.spec, client: 'browser' })
      await page.close()
    },
  )

  chromium.it(
    'accepts a flywheel example in the review page, into the file `flywheel export --accepted` reads',
    async () => {
      const cwd = workspace()
      await run(process.execPath, [BIN, 'flywheel', 'enable', cwd], {
        env: { ...process.env, PUNIE_HOME: home.path },
      })
      const { sessionId } = await acp.newSession(cwd)
      model.enqueue({ text: 'The answer is 42.' })
      await acp.prompt(sessionId, 'what is the answer?')
      const page = await signedInPage('/#/review')
      const example = page.locator('[data-example-id]').first()
      await example.waitFor()
      expect(await example.textContent()).toContain('what is the answer?')
      const id = (await example.getAttribute('data-example-id')) as string
      await example.locator('button[data-decision="accepted"]').click()
      await until(() => {
        try {
          const file = JSON.parse(readFileSync(join(home.path, 'flywheel-review.json'), 'utf8'))
          return file.decisions[id] === 'accepted' ? true : undefined
        } catch {
          return undefined
        }
      })
      await page.close()
    },
  )

  chromium.it(
    'shows a session with a diff and Code Mode calls nested under their snippet, and the perf panel',
    async () => {
      const cwd = workspace()
      const { sessionId } = await acp.newSession(cwd)
      await acp.agent.request(methods.agent.session.setConfigOption, {
        sessionId,
        configId: 'mode',
        value: 'yolo',
      })
      model.enqueue(
        {
          toolCalls: [
            {
              name: 'execute_code',
              arguments: {
                code: [
                  'write_file("app.py", "def greet(name):\\n    return f\\"Hello, {name}!\\"\\n")',
                  'lines = read_file("app.py")["totalLines"]',
                  'print(f"app.py has {lines} lines")',
                ].join('\n'),
              },
            },
          ],
          usage: { prompt_tokens: 1800, completion_tokens: 60 },
        },
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'app.py', old: 'Hello', new: 'Good morning' },
            },
          ],
          usage: { prompt_tokens: 1900, completion_tokens: 30 },
        },
        {
          text: 'I wrote **app.py** and changed the greeting.',
          usage: { prompt_tokens: 2000, completion_tokens: 12 },
        },
      )
      const page = await signedInPage(`/#/session/${sessionId}`)
      await page.waitForSelector(`[data-testid=session-view][data-session-id="${sessionId}"]`)
      expect(
        (await acp.prompt(sessionId, 'write a greeting module, then make it say good morning')).stopReason,
      ).toBe('end_turn')
      await page.waitForSelector('[data-testid=turn][data-stop-reason="end_turn"]')
      const snippet = page
        .locator('[data-testid=tool-card]')
        .filter({ has: page.locator('[data-testid=tool-card]') })
        .first()
      const nested = snippet.locator('[data-testid=tool-card]')
      expect(await nested.count()).toBe(2)
      expect(await page.locator('[data-testid=diff]').count()).toBeGreaterThanOrEqual(2)
      expect(readFileSync(join(cwd, 'app.py'), 'utf8')).toContain('Good morning')
      await page.setViewportSize({ width: 1400, height: 1250 })
      await screenshot(page, 'session-diff-and-code', false)
      await page.setViewportSize({ width: 1400, height: 900 })

      await page.goto(`${served.url}/#/perf`)
      const panel = page.locator('[data-testid=perf]')
      await panel.waitFor()
      await page.waitForSelector('[data-testid=perf] svg')
      const width = await panel.locator('svg').first().boundingBox()
      expect(width?.width ?? 0).toBeGreaterThan(700)
      await screenshot(page, 'perf-panel')
      await page.goto(`${served.url}/#/`)
      await page.waitForSelector(`[data-session-id="${sessionId}"]`)
      await screenshot(page, 'overview')
      await page.close()
      expect(existsSync(join(shots.path, 'overview.png'))).toBe(true)
    },
  )
})
