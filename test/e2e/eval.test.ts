// `punie eval` through the binary against scripted models: one that does every case right scores 100%, one that
// does everything wrong about 0%, and a flaky one has pass^k below pass@1. Then the HTML report (rendered in
// Chromium when there is one, parsed always), compare, resume, and the shipped suites' validity.
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { loadSuite, parseSuite, SuiteError } from '../../src/eval/suite.js'
import { BIN, REPO_ROOT } from '../helpers/acp-harness.js'
import { launchChromium } from '../helpers/browser.js'
import { needs } from '../helpers/needs.js'
import { runPunie } from '../helpers/run-punie.js'
import { type RecordedRequest, ScriptedModelServer, type StaticReply } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const MINI = join(REPO_ROOT, 'test', 'fixtures', 'eval', 'mini.yaml')

/** What a model that knows each case does: a tool call first, then the answer once the result is back. */
const RIGHT: Record<string, { call?: { name: string; arguments: Record<string, unknown> }; answer: string }> =
  {
    'What port does config.ini set?': {
      call: { name: 'read_file', arguments: { path: 'config.ini' } },
      answer: 'It sets port 8123.',
    },
    'Create hello.txt containing the word hi.': {
      call: { name: 'write_file', arguments: { path: 'hello.txt', content: 'hi\n' } },
      answer: 'Created hello.txt.',
    },
    'What is 2 + 2?': { answer: '2 + 2 = 4' },
    'How many lines do a.py and b.py have together?': {
      call: {
        name: 'execute_code',
        arguments: {
          code: 'n = 0\nfor p in ["a.py", "b.py"]:\n    n += read_file(p)["totalLines"]\nprint(n)',
        },
      },
      answer: 'Together they have 3 lines.',
    },
    'Which file mentions MARKER?': {
      call: { name: 'grep', arguments: { pattern: 'MARKER' } },
      answer: 'two.txt mentions it.',
    },
  }

const firstUser = (r: RecordedRequest) => r.body.messages.find((m) => m.role === 'user')?.content ?? ''
const toolResultBack = (r: RecordedRequest) => r.body.messages.at(-1)?.role === 'tool'

function right(request: RecordedRequest): StaticReply {
  const plan = RIGHT[firstUser(request)]
  if (!plan) return { text: 'unknown case' }
  if (plan.call && !toolResultBack(request)) return { toolCalls: [plan.call] }
  return { text: plan.answer }
}

/** Calls the wrong tool (or none) and answers wrongly. */
function wrong(request: RecordedRequest): StaticReply {
  if (firstUser(request) === 'What is 2 + 2?' && !toolResultBack(request)) {
    return { toolCalls: [{ name: 'list_dir', arguments: { path: '.' } }] }
  }
  return { text: 'I am not sure.' }
}

let home: { path: string; remove: () => void }
let model: ScriptedModelServer

beforeEach(async () => {
  home = makeTempDir('punie-home-')
  model = await ScriptedModelServer.start()
})
afterEach(async () => {
  await model.close()
  home.remove()
})

const punie = (args: string[]) => runPunie(args, { home: home.path })

const runIdOf = (output: string) => /^run (\S+)/m.exec(output)?.[1] as string
const resultsOf = (home: string, runId: string) =>
  JSON.parse(readFileSync(join(home, 'eval', `${runId}.json`), 'utf8')) as {
    results: { caseId: string; passed: boolean; score: number; scores: Record<string, { score: number }> }[]
  }

describe('punie eval', () => {
  it('scores a right model 100%, a wrong one 0%, a flaky one with pass^k below pass@1, and compares them', async () => {
    model.always(right)
    const good = await punie(['eval', 'run', MINI, '--model', model.spec, '--repeat', '2', '-j', '2'])
    expect(good.stderr).toContain('10/10')
    expect(good.code).toBe(0)
    expect(good.stdout).toContain('pass@1 100.0% · pass^2 100.0% · score 1.000')
    const goodId = runIdOf(good.stdout)
    const goodResults = resultsOf(home.path, goodId).results
    expect(goodResults).toHaveLength(10)
    expect(goodResults.every((r) => r.passed && r.score === 1)).toBe(true)
    const countLines = goodResults.find((r) => r.caseId === 'count-lines')
    expect(countLines?.scores.code_calls?.score).toBe(1)

    model.always(wrong)
    const bad = await punie(['eval', 'run', MINI, '--model', model.spec])
    const badId = runIdOf(bad.stdout)
    expect(bad.stdout).toContain('pass@1 0.0%')
    expect(resultsOf(home.path, badId).results.every((r) => !r.passed)).toBe(true)

    // Flaky: right on every other attempt of each case.
    const attempts = new Map<string, number>()
    model.always((request) => {
      const prompt = firstUser(request)
      if (
        !toolResultBack(request) &&
        request.body.messages.filter((m) => m.role === 'assistant').length === 0
      ) {
        attempts.set(prompt, (attempts.get(prompt) ?? 0) + 1)
      }
      return (attempts.get(prompt) ?? 1) % 2 === 1 ? right(request) : wrong(request)
    })
    const flaky = await punie(['eval', 'run', MINI, '--model', model.spec, '--repeat', '4'])
    expect(flaky.stdout).toContain('pass@1 50.0% · pass^4 0.0%')
    const flakyId = runIdOf(flaky.stdout)

    const compared = await punie(['eval', 'compare', goodId, badId, flakyId])
    expect(compared.code).toBe(1)
    expect(compared.stdout).toMatch(
      /overall\s+100\.0% \[72\.2–100\.0%\]\s+0\.0% \[0\.0–43\.4%\]\s+-100\.0\s+REGRESSION/,
    )
    expect(compared.stdout).toMatch(
      /overall\s+100\.0% \[72\.2–100\.0%\]\s+50\.0% \[29\.9–70\.1%\]\s+-50\.0\s+REGRESSION/,
    )
    expect(compared.stdout).toMatch(/regressed cases: .*mini\/read-port/)

    const listed = await punie(['eval', 'list'])
    const lines = listed.stdout.split('\n').filter(Boolean)
    expect(lines[0]).toMatch(/^run\s+started \(UTC\)\s+status\s+passed\s+suites\s+model$/)
    expect(lines).toHaveLength(4)
    for (const [id, passed] of [
      [goodId, '10/10'],
      [badId, '0/5'],
      [flakyId, '10/20'],
    ] as const) {
      const row = lines.find((l) => l.startsWith(id)) ?? ''
      expect(row).toMatch(new RegExp(`done\\s+${passed}\\s+mini\\s+${model.spec.replace(/[.]/g, '\\.')}$`))
    }
  })

  it('runs against a managed server by name, with the temperature and seed it was given', async () => {
    model.always(right)
    mkdirSync(join(home.path, 'servers'))
    const record = {
      name: 'local-llama',
      kind: 'llamacpp',
      pid: process.pid,
      baseURL: model.baseURL,
      healthUrl: `${model.baseURL}/models`,
      command: 'llama-server',
      args: [],
      logFile: join(home.path, 'servers', 'local-llama.log'),
      startedAt: Date.now(),
    }
    writeFileSync(join(home.path, 'servers', 'local-llama.json'), JSON.stringify(record))
    const ran = await punie([
      'eval',
      'run',
      MINI,
      '--server',
      'local-llama',
      '--temperature',
      '0.3',
      '--seed',
      '7',
    ])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain(`run ${runIdOf(ran.stdout)} · ${model.baseURL} · done`)
    expect(ran.stdout).toContain('pass@1 100.0%')
    const sent = model.chatRequests()[0]?.body
    expect(sent).toMatchObject({ model: 'scripted-model', temperature: 0.3, seed: 7 })

    const missing = await punie(['eval', 'run', MINI, '--server', 'nope'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no managed server named "nope"')
  })

  it('asks a managed vLLM server for the adapter it serves, not the base model it lists first', async () => {
    model.always(right)
    model.models = ['Qwen/Qwen3-8B', 'adapter']
    mkdirSync(join(home.path, 'servers'))
    const record = {
      name: 'tuned',
      kind: 'vllm',
      pid: process.pid,
      baseURL: model.baseURL,
      healthUrl: `${model.baseURL}/models`,
      command: 'vllm',
      args: ['serve', 'Qwen/Qwen3-8B', '--enable-lora', '--lora-modules', 'adapter=/runs/r1/best-adapter'],
      logFile: join(home.path, 'servers', 'tuned.log'),
      startedAt: Date.now(),
    }
    writeFileSync(join(home.path, 'servers', 'tuned.json'), JSON.stringify(record))
    const ran = await punie(['eval', 'run', MINI, '--server', 'tuned'])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain(`run ${runIdOf(ran.stdout)} · ${model.baseURL}/adapter · done`)
    expect(new Set(model.chatRequests().map((r) => r.body.model))).toEqual(new Set(['adapter']))
  })

  it('writes an HTML report with every attempt of every case, a label on every bar and intervals per category', async () => {
    // Right on the first attempt of each case, wrong on the second: each case's two attempts differ.
    const seen = new Map<string, number>()
    model.always((request) => {
      const prompt = firstUser(request)
      if (request.body.messages.filter((m) => m.role === 'assistant').length === 0)
        seen.set(prompt, (seen.get(prompt) ?? 0) + 1)
      return (seen.get(prompt) ?? 1) === 1 ? right(request) : wrong(request)
    })
    const ran = await punie(['eval', 'run', MINI, '--model', model.spec, '--repeat', '2'])
    const out = join(home.path, 'report.html')
    const reported = await punie(['eval', 'report', runIdOf(ran.stdout), '--out', out])
    expect(reported.stdout).toContain(`report: ${out}`)
    const html = readFileSync(out, 'utf8')
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|(src|href)=["']?https?:/)
    const caseRows = html.match(/<tr class="(pass|fail|flaky)" data-case=/g) ?? []
    expect(caseRows).toHaveLength(5)
    expect(html.match(/<tr class="flaky"/g)).toHaveLength(5)
    // Every attempt has its own row: its verdict, its calls and its answer, the passing one and the failing one.
    const attemptRows = [
      ...html.matchAll(/<tr class="attempt (passed|failed)" data-case="([^"]+)" data-attempt="(\d)">/g),
    ]
    expect(attemptRows.map((m) => `${m[2]}#${m[3]} ${m[1]}`).sort()).toEqual(
      ['count-lines', 'create-file', 'find-marker', 'no-tool', 'read-port'].flatMap((id) => [
        `mini/${id}#1 passed`,
        `mini/${id}#2 failed`,
      ]),
    )
    expect(html).toContain('It sets port 8123.')
    expect(html).toContain('I am not sure.')
    expect(html).toContain('read_file({&quot;path&quot;:&quot;config.ini&quot;})')
    expect(html).toContain('↳ read_file')
    // Four categories × two series: eight bars, each with its own value label, all in one format.
    const chart = /<svg data-chart="categories"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? ''
    const bars = chart.match(/<rect [^>]*><title>/g) ?? []
    const labels = [...chart.matchAll(/<text [^>]*class="value" data-series="[^"]+">([^<]+)<\/text>/g)].map(
      (m) => m[1],
    )
    expect(bars).toHaveLength(8)
    expect(labels).toHaveLength(8)
    for (const label of labels) expect(label).toMatch(/^\d{1,3}\.\d%$/)
    // Each category's pass rate with its Wilson interval, and its score with an interval.
    const table = /<table id="categories-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? ''
    expect(table).toContain('<th>95% Wilson</th>')
    expect(table).toMatch(
      /mini\/read<\/td><td class="num">2<\/td><td class="num">4<\/td>\s*<td class="num">50\.0%<\/td><td class="num">15\.0–85\.0%<\/td>/,
    )

    // The rest renders the report in Chromium.
    if (!needs('chromium').check()) return
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(`file://${out}`)
      // The pass@1 bars (50%) are laid out with a visible width; the pass^2 bars are 0% wide, and still labelled.
      const widths = await page.$$eval('svg[data-chart="categories"] rect', (rects) =>
        rects.map((r) => r.getBoundingClientRect().width),
      )
      expect(widths.filter((w) => w > 20).length).toBeGreaterThanOrEqual(4)
      const shown = await page.$$eval('svg[data-chart="categories"] text.value', (texts) =>
        texts.map((t) => ({ text: t.textContent, width: t.getBoundingClientRect().width })),
      )
      expect(shown.filter((t) => t.width > 0).map((t) => t.text)).toEqual(
        Array.from({ length: 4 }, () => ['50.0%', '0.0%']).flat(),
      )
      expect(await page.locator('#cases tbody tr.attempt').count()).toBe(10)
      const box = await page.locator('#cases').boundingBox()
      expect(box?.height ?? 0).toBeGreaterThan(50)
    } finally {
      await browser.close()
    }
  })

  it('resumes an interrupted run without redoing what is stored', { timeout: 60_000 }, async () => {
    let served = 0
    model.always((request) => {
      served++
      return { ...right(request), chunkSize: 200, delayMs: 80 }
    })
    const child = spawn(
      process.execPath,
      [BIN, 'eval', 'run', MINI, '--model', model.spec, '--repeat', '2'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, PUNIE_HOME: home.path },
      },
    )
    let stderr = ''
    let stdout = ''
    let interrupted = false
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!interrupted && stderr.includes('3/10')) {
        interrupted = true
        child.kill('SIGINT')
      }
    })
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(130)
    const runId = runIdOf(stdout)
    expect(stdout).toContain(`resume with: punie eval run --resume ${runId}`)
    const kept = resultsOf(home.path, runId).results.length
    expect(kept).toBeGreaterThanOrEqual(3)
    expect(kept).toBeLessThanOrEqual(9)

    const before = served
    const resumed = await punie(['eval', 'run', '--resume', runId])
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain('pass@1 100.0% · pass^2 100.0%')
    expect(resultsOf(home.path, runId).results).toHaveLength(10)
    // Only the missing attempts ran: at most two model requests each.
    expect(served - before).toBeLessThanOrEqual((10 - kept) * 2)
  })
})

/**
 * What a model that knows the shipped cases needing a tool outside the core set does: find it (tool_help), reach
 * it (call_tool, or a function in code), then answer from what came back.
 */
const DISCOVERY: Record<
  string,
  { calls: { name: string; arguments: Record<string, unknown> }[]; answer: string }
> = {
  'discover-file-sizes': {
    calls: [
      { name: 'tool_help', arguments: { names: ['list_dir'] } },
      { name: 'call_tool', arguments: { name: 'list_dir', arguments: { path: 'data' } } },
    ],
    answer: 'The largest is big.csv.',
  },
  'discover-plan': {
    calls: [
      {
        name: 'execute_code',
        arguments: {
          code: [
            'plan([{"content": "parse the --verbose flag", "status": "pending"},',
            '      {"content": "pass it to run()", "status": "pending"},',
            '      {"content": "test it", "status": "pending"}])',
          ].join('\n'),
        },
      },
    ],
    answer: 'The plan is recorded.',
  },
  'commits-per-author': {
    calls: [
      {
        name: 'execute_code',
        arguments: {
          code: [
            'counts = {}',
            'for c in git_log()["commits"]:',
            '    counts[c["author"]] = counts.get(c["author"], 0) + 1',
            'for name in sorted(counts):',
            '    print(f"{name} {counts[name]}")',
          ].join('\n'),
        },
      },
    ],
    answer: 'Commits per author:',
  },
  'sizes-from-code': {
    calls: [
      {
        name: 'execute_code',
        arguments: { code: 'print(sum(e.get("size", 0) for e in list_dir("assets")["entries"]))' },
      },
    ],
    answer: 'Total bytes:',
  },
  'discover-git-diff': {
    calls: [{ name: 'call_tool', arguments: { name: 'git_diff', arguments: {} } }],
    // The count itself: the diff's text alone has a "2" only inside print('v2'), which is not a count.
    answer: 'Two lines were added:',
  },
}

describe('the shipped cases that need a tool outside the core set', () => {
  needs('git').it('score 100% for a model that finds and reaches the tools as it should', async () => {
    const dir = join(REPO_ROOT, 'suites')
    const cases = readdirSync(dir).flatMap((file) => {
      const suite = parseYaml(readFileSync(join(dir, file), 'utf8')) as {
        tool_mode?: string
        cases: { id: string; category: string; tool_mode?: string }[]
      }
      return suite.cases
        .filter((c) => c.category === 'discovery')
        .map((c) => ({ ...c, tool_mode: c.tool_mode ?? suite.tool_mode ?? 'both' }))
    })
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(DISCOVERY).sort())
    expect(new Set(cases.map((c) => c.tool_mode))).toEqual(new Set(['direct', 'both', 'code']))
    const prompts = new Map(cases.map((c) => [(c as unknown as { prompt: string }).prompt.trim(), c.id]))
    const suiteFile = join(home.path, 'discovery.yaml')
    writeFileSync(suiteFile, toYaml({ suite: 'discovery', pass_threshold: 1, timeout_s: 60, cases }))
    model.always((request) => {
      const plan = DISCOVERY[prompts.get(firstUser(request).trim()) ?? '']
      if (!plan) return { text: 'unknown case' }
      const results = request.body.messages.filter((m) => m.role === 'tool')
      const next = plan.calls[results.length]
      if (next) return { toolCalls: [next] }
      return { text: `${plan.answer} ${results.at(-1)?.content ?? ''}` }
    })
    const run = await punie(['eval', 'run', suiteFile, '--model', model.spec])
    expect(run.stderr).toContain(`${cases.length}/${cases.length}`)
    expect(run.stdout).toContain('pass@1 100.0%')
    const results = resultsOf(home.path, runIdOf(run.stdout)).results
    for (const r of results) expect([r.caseId, r.score]).toEqual([r.caseId, 1])
  })
})

describe('suites', () => {
  it('ships at least 45 valid cases in baseline, code-mode, devtools and outcome', () => {
    const dir = join(REPO_ROOT, 'suites')
    const suites = readdirSync(dir).map((f) => loadSuite(join(dir, f)))
    expect(suites.map((s) => s.name).sort()).toEqual(['baseline', 'code-mode', 'devtools', 'outcome'])
    expect(suites.reduce((n, s) => n + s.cases.length, 0)).toBeGreaterThanOrEqual(45)
  })

  it('reports schema and YAML errors with their line', () => {
    const bad = 'cases:\n  - id: x\n    category: c\n    prompt: p\n    expect:\n      tool: [read_file]\n'
    expect(() => parseSuite(bad, 'bad.yaml')).toThrow(/bad\.yaml:6:7: .*tool/)
    expect(() => parseSuite('cases: [\n', 'broken.yaml')).toThrow(SuiteError)
    expect(() =>
      parseSuite('cases:\n  - id: x\n    category: c\n    prompt: p\n    expect: {}\n', 'e.yaml'),
    ).toThrow(/e\.yaml:5:\d+: expect needs at least one check/)
  })
})
