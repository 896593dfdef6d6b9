// A performance report from a real multi-turn session, rendered in headless Chromium.
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, spawnAgent } from '../helpers/acp-harness.js'
import { launchChromium } from '../helpers/browser.js'
import { needs } from '../helpers/needs.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)
// CI installs Chromium and requires it (PUNIE_REQUIRE_TOOLS), so the browser check can never be skipped there.
const browser = needs('chromium')

describe('punie perf', () => {
  const home = makeTempDir('punie-perf-home-')
  const workspace = makeTempDir('punie-perf-ws-')
  let model: ScriptedModelServer
  let sessionId = ''
  const punie = (args: string[]) =>
    run(process.execPath, [BIN, ...args], { env: { ...process.env, PUNIE_HOME: home.path } })

  beforeAll(async () => {
    model = await ScriptedModelServer.start()
    writeFileSync(join(workspace.path, 'app.py'), 'print("hi")\n')
    const agent = spawnAgent({ home: home.path, args: ['--model', model.spec] })
    await agent.harness.initialize()
    sessionId = (await agent.harness.newSession(workspace.path)).sessionId
    await agent.harness.agent.request(methods.agent.session.setConfigOption, {
      sessionId,
      configId: 'mode',
      value: 'yolo',
    })
    model.enqueue(
      {
        toolCalls: [{ name: 'read_file', arguments: { path: 'app.py' } }],
        usage: { prompt_tokens: 900, completion_tokens: 20 },
      },
      { text: 'It prints hi.', usage: { prompt_tokens: 950, completion_tokens: 5 } },
      { toolCalls: [{ name: 'run_command', arguments: { command: 'sleep 0.2; echo done' } }] },
      {
        toolCalls: [
          { name: 'list_dir', arguments: {} },
          { name: 'glob', arguments: { pattern: '*.py' } },
        ],
      },
      { text: 'Ran it and looked around.' },
      // Streamed two characters every 10 ms: long enough to time its generation speed; the others come at once.
      {
        text: 'A plain answer, streamed slowly enough that its generation speed can be measured.',
        delayMs: 10,
        chunkSize: 2,
      },
    )
    await agent.harness.prompt(sessionId, 'What does app.py do?')
    await agent.harness.prompt(sessionId, 'Run something, then look around')
    await agent.harness.prompt(sessionId, 'And now?')
    await agent.harness.close()
  })
  afterAll(async () => {
    await model.close()
    home.remove()
    workspace.remove()
  })

  it('summarises the turns, model requests and tools of the session', async () => {
    const { stdout } = await punie(['perf', 'summary', '--session', sessionId, '--json'])
    const figures = JSON.parse(stdout)
    expect(figures).toMatchObject({
      sessions: 1,
      turns: 3,
      modelRequests: 6,
      promptTokens: expect.any(Number),
    })
    expect(figures.tools.map((t: { key: string }) => t.key).sort()).toEqual([
      'glob',
      'list_dir',
      'read_file',
      'run_command',
    ])
    const command = figures.tools.find((t: { key: string }) => t.key === 'run_command')
    expect(command.p50).toBeGreaterThanOrEqual(200)
    expect(figures.backends.map((b: { key: string }) => b.key)).toEqual(['local'])
    // Only answers that streamed for 50 ms or more are timed: the slow one is, instant ones are not (they read as
    // thousands of tokens/s before). None has more than 20 completion tokens, so no timed one reaches 400/s.
    expect(figures.tokensPerSecondRequests).toBeGreaterThanOrEqual(1)
    expect(figures.tokensPerSecondRequests).toBeLessThanOrEqual(figures.modelRequests - 1)
    expect(figures.tokensPerSecondP95).toBeLessThanOrEqual(400)
    const table = (await punie(['perf', 'summary', '--session', sessionId])).stdout
    expect(table).toMatch(/sessions \/ turns\s+1 \/ 3/)
    expect(table).toMatch(/run_command\s+1\s+0/)
    expect(table).toMatch(
      /generation speed p50 \/ p95\s+[\d.]+ \/ [\d.]+ tokens\/s \(\d of 6 requests timed\)/,
    )
  })

  browser.it('writes a standalone HTML report whose charts render in Chromium', async () => {
    const out = join(home.path, 'report.html')
    const { stdout } = await punie(['perf', 'report', '--session', sessionId, '--out', out])
    expect(stdout.trim()).toBe(out)
    const html = readFileSync(out, 'utf8')
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/)

    const browser = await launchChromium()
    try {
      // A wide window: the charts should use the page, not a third of it.
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      await page.goto(`file://${out}`)
      const charts = await page.$$eval('svg[data-chart]', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect()
          const view = svg.ownerDocument.defaultView
          const visible = (e: typeof svg) => {
            const r = e.getBoundingClientRect()
            return r.width > 0 && r.height > 0
          }
          const inside = (e: typeof svg) => {
            const r = e.getBoundingClientRect()
            return r.left >= box.left - 0.5 && r.right <= box.right + 0.5
          }
          const texts: (typeof svg)[] = [...svg.querySelectorAll('text')]
          const value = texts.find((t) => t.classList.contains('value')) ?? svg
          return {
            id: svg.getAttribute('data-chart'),
            width: box.width,
            height: box.height,
            marks: [...svg.querySelectorAll('rect, path, circle')].filter(visible).length,
            bars: [...svg.querySelectorAll('rect')].filter((r) => r.querySelector('title')).length,
            values: texts.filter((t) => t.classList.contains('value') && visible(t)).length,
            outside: texts.filter((t) => !inside(t)).map((t) => t.textContent),
            ticks: texts.filter((t) => t.classList.contains('tick')).map((t) => t.textContent),
            // The on-screen size of a value label: 11 units scaled by the chart's width over its viewBox.
            fontPx:
              Number.parseFloat(view.getComputedStyle(value).fontSize) *
              (box.width / svg.viewBox.baseVal.width),
          }
        }),
      )
      expect(charts.map((c) => c.id)).toEqual([
        'turn-timeline',
        'tool-latency',
        'backend-latency',
        'tokens-per-turn',
        'session-trend',
      ])
      const content = await page.$eval('body', (body) => {
        const style = body.ownerDocument.defaultView.getComputedStyle(body)
        return body.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight)
      })
      expect(charts[0]?.width ?? 0).toBeGreaterThanOrEqual(0.9 * content)
      for (const c of charts) {
        expect(c.width, c.id ?? '').toBeCloseTo(charts[0]?.width ?? 0, 0)
        expect(c.marks, c.id ?? '').toBeGreaterThan(0)
        // No text cut at the chart's edge, and none blown up on a wide screen.
        expect(c.outside, c.id ?? '').toEqual([])
        expect(c.fontPx, c.id ?? '').toBeLessThanOrEqual(15)
      }
      // Four tools, a p50 and a p95 bar each, every one with its value; one backend likewise.
      const tools = charts.find((c) => c.id === 'tool-latency')
      expect(tools?.bars).toBe(8)
      expect(tools?.values).toBe(8)
      expect(charts.find((c) => c.id === 'backend-latency')?.values).toBe(2)
      // One label per turn row: its total.
      expect(charts.find((c) => c.id === 'turn-timeline')?.values).toBe(3)
      // One session: one point and one time label.
      expect(charts.find((c) => c.id === 'session-trend')?.ticks).toHaveLength(1)
      await expect(page.locator('tr', { hasText: 'generation speed' }).textContent()).resolves.toMatch(
        /tokens\/s/,
      )
      // The rendered page, kept as an artefact; PUNIE_SCREENSHOTS=<dir> keeps a copy there.
      const screenshot = join(home.path, 'perf-report.png')
      await page.screenshot({ path: screenshot, fullPage: true })
      expect(statSync(screenshot).size).toBeGreaterThan(10_000)
      const keep = process.env.PUNIE_SCREENSHOTS
      if (keep) {
        mkdirSync(keep, { recursive: true })
        copyFileSync(screenshot, join(keep, 'perf-report.png'))
      }
    } finally {
      await browser.close()
    }
  })

  it('says clearly when there is nothing to report on', async () => {
    await expect(punie(['perf', 'summary', '--session', 'nope'])).rejects.toMatchObject({
      stderr: 'punie perf: no session nope\n',
    })
  })
})
