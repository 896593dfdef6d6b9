// A performance report from a real multi-turn session, rendered in headless Chromium.
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, spawnAgent } from '../helpers/acp-harness.js'
import { chromiumPath, needs } from '../helpers/needs.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)
const CHROMIUM = chromiumPath()
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
      { text: 'Plain answer.', delayMs: 5, chunkSize: 2 },
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
    const table = (await punie(['perf', 'summary', '--session', sessionId])).stdout
    expect(table).toMatch(/sessions \/ turns\s+1 \/ 3/)
    expect(table).toMatch(/run_command\s+1\s+0/)
  })

  browser.it('writes a standalone HTML report whose charts render in Chromium', async () => {
    const out = join(home.path, 'report.html')
    const { stdout } = await punie(['perf', 'report', '--session', sessionId, '--out', out])
    expect(stdout.trim()).toBe(out)
    const html = readFileSync(out, 'utf8')
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/)

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    try {
      const page = await browser.newPage()
      await page.goto(`file://${out}`)
      const charts = await page.$$eval('svg[data-chart]', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect()
          const marks = [...svg.querySelectorAll('rect, path, circle')].filter((m) => {
            const r = m.getBoundingClientRect()
            return r.width > 0 && r.height > 0
          })
          return {
            id: svg.getAttribute('data-chart'),
            width: box.width,
            height: box.height,
            marks: marks.length,
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
      for (const c of charts) {
        expect(c.width, c.id ?? '').toBeGreaterThan(300)
        expect(c.marks, c.id ?? '').toBeGreaterThan(0)
      }
      expect(charts.find((c) => c.id === 'tool-latency')?.marks).toBeGreaterThanOrEqual(8)
      // Set PUNIE_REPORT_SCREENSHOT=/some/file.png to look at the rendered report.
      const screenshot = process.env.PUNIE_REPORT_SCREENSHOT
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true })
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
