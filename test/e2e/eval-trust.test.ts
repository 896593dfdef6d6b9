import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { caseFacts } from '../../src/eval/scorers.js'
import { type EvalCase, loadSuite } from '../../src/eval/suite.js'
import { REPO_ROOT } from '../helpers/acp-harness.js'
import { needs } from '../helpers/needs.js'
import { runPunie } from '../helpers/run-punie.js'
import { type RecordedRequest, ScriptedModelServer, type StaticReply } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const SUITES = join(REPO_ROOT, 'suites')
const MINI = join(REPO_ROOT, 'test', 'fixtures', 'eval', 'mini.yaml')

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
const firstUser = (r: RecordedRequest) => r.body.messages.find((m) => m.role === 'user')?.content ?? ''
const resultsOf = (runId: string) =>
  JSON.parse(readFileSync(join(home.path, 'eval', `${runId}.json`), 'utf8')) as {
    results: {
      suite: string
      caseId: string
      passed: boolean
      score: number
      scores: Record<string, { score: number }>
    }[]
  }

/**
 * A model that does what a case's expectations ask of its tools (each expected tool once, with arguments its
 * matchers accept; a trivial snippet in Code Mode), then says "See the result above." without the facts.
 */
function vague(cases: Map<string, EvalCase>) {
  return (request: RecordedRequest): StaticReply => {
    const c = cases.get(firstUser(request).trim())
    if (!c) return { text: 'See the result above.' }
    const done = request.body.messages.filter((m) => m.role === 'tool').length
    const tools = (c.expect.tools ?? []).map((t) =>
      typeof t === 'string'
        ? { name: t, arguments: {} }
        : {
            name: t.name,
            arguments: Object.fromEntries(
              Object.entries(t.args ?? {}).map(([k, m]) => [
                k,
                typeof m === 'object' && 'contains' in m ? m.contains : m,
              ]),
            ),
          },
    )
    const call = tools[done]
    if (!call) return { text: 'See the result above.' }
    if (call.name === 'execute_code')
      return { toolCalls: [{ name: 'execute_code', arguments: { code: 'print("done")' } }] }
    if (call.name === 'plan')
      return {
        toolCalls: [
          { name: 'plan', arguments: { entries: [{ content: 'add --verbose', status: 'pending' }] } },
        ],
      }
    return { toolCalls: [call] }
  }
}

describe('the shipped suites against a model that answers vaguely', () => {
  needs('git', 'python3').it(
    'fail every case that checks a fact, whatever tools were called',
    { timeout: 240_000 },
    async () => {
      const files = readdirSync(SUITES).map((f) => join(SUITES, f))
      const cases = files.flatMap((f) => {
        const suite = loadSuite(f)
        return suite.cases.map((c) => ({ suite: suite.name, evalCase: c }))
      })
      model.always(vague(new Map(cases.map((c) => [c.evalCase.prompt.trim(), c.evalCase]))))
      const run = await punie(['eval', 'run', ...files, '--model', model.spec, '-j', '4', '--timeout', '90'])
      expect(run.code).toBe(0)
      const results = resultsOf(runIdOf(run.stdout)).results
      expect(results).toHaveLength(cases.length)
      const withFacts = cases.filter((c) => caseFacts(c.evalCase).length)
      expect(withFacts.length).toBeGreaterThanOrEqual(30)
      for (const { suite, evalCase } of withFacts) {
        const r = results.find((x) => x.suite === suite && x.caseId === evalCase.id)
        expect([evalCase.id, r?.passed, r?.scores.facts?.score]).toEqual([evalCase.id, false, 0])
      }
      // What can pass is a case without a fact to state, where the right call is the work: a plan recorded, a file
      // the formatter or the linter's fix rewrote.
      const passed = results.filter((r) => r.passed).map((r) => `${r.suite}/${r.caseId}`)
      const factless = new Set(
        cases.filter((c) => !caseFacts(c.evalCase).length).map((c) => `${c.suite}/${c.evalCase.id}`),
      )
      expect(passed.filter((k) => !factless.has(k))).toEqual([])
      process.stdout.write(`\npassed without facts: ${passed.join(', ')}\n`)
      process.stdout.write(`\n${run.stdout}\n`)
    },
  )
})

/** The mini suite's right answers, as test/e2e/eval.test.ts has them. */
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

function right(request: RecordedRequest): StaticReply {
  const plan = RIGHT[firstUser(request)]
  if (!plan) return { text: 'unknown case' }
  if (plan.call && request.body.messages.at(-1)?.role !== 'tool') return { toolCalls: [plan.call] }
  return { text: plan.answer }
}

describe('punie eval compare', () => {
  it('refuses runs of different suites with exit 2, and compares only the shared cases when allowed', async () => {
    model.always(right)
    const mini = await punie(['eval', 'run', MINI, '--model', model.spec])
    // The same cases under another suite name, with one case fewer and one more.
    const text = readFileSync(MINI, 'utf8')
      .replace('suite: mini', 'suite: other')
      .replace('  - id: find-marker', '  - id: find-marker-2')
    const other = join(home.path, 'other.yaml')
    writeFileSync(other, text)
    const both = await punie(['eval', 'run', MINI, other, '--model', model.spec])
    expect(both.code).toBe(0)
    const [a, b] = [runIdOf(mini.stdout), runIdOf(both.stdout)]

    const refused = await punie(['eval', 'compare', a, b])
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).not.toContain('REGRESSION')
    expect(refused.stderr).toContain(
      `${b} and ${a} did not run the same suites, so their scores do not compare:`,
    )
    expect(refused.stderr).toContain(`suites: ${a} ran mini; ${b} ran mini, other`)
    expect(refused.stderr).toContain('pass --allow-different-suites to compare the 5 cases both ran')

    const allowed = await punie(['eval', 'compare', a, b, '--allow-different-suites'])
    expect(allowed.code).toBe(0)
    expect(allowed.stdout).toContain(
      `${b} against ${a} (pass@1 on the 5 cases both ran, 95% Wilson intervals)`,
    )
    expect(allowed.stdout).toMatch(
      /overall\s+100\.0% \[56\.6–100\.0%\]\s+100\.0% \[56\.6–100\.0%\]\s+0\.0\s+same/,
    )
    expect(allowed.stdout).toContain(
      `only in ${b} (5): other/count-lines, other/create-file, other/find-marker-2, other/no-tool, other/read-port`,
    )
    expect(allowed.stdout).not.toMatch(/only in \S+ \(\d+\): mini/)
    process.stdout.write(`\n$ punie eval compare ${a} ${b}\n${refused.stderr}(exit ${refused.code})\n`)
    process.stdout.write(
      `\n$ punie eval compare ${a} ${b} --allow-different-suites\n${allowed.stdout}(exit ${allowed.code})\n`,
    )

    // A suite file changed between two runs of it: the same name, other checks.
    const changed = join(home.path, 'mini.yaml')
    writeFileSync(changed, text.replace('suite: other', 'suite: mini').replace('"8123"', '"8124"'))
    const edited = await punie(['eval', 'run', changed, '--model', model.spec])
    const c = runIdOf(edited.stdout)
    const refusedChanged = await punie(['eval', 'compare', a, c])
    expect(refusedChanged.code).toBe(2)
    expect(refusedChanged.stderr).toMatch(
      /suite mini changed between the runs \(file [0-9a-f]{8} → [0-9a-f]{8}\)/,
    )

    const list = await punie(['eval', 'list'])
    expect(list.stdout).toMatch(new RegExp(`${b}\\s.*done\\s+10/10\\s+mini,other\\s+\\S+scripted-model`))
  })

  it('does not call a drop a regression when the samples cannot tell it from noise', async () => {
    model.always(right)
    const good = await punie(['eval', 'run', MINI, '--model', model.spec])
    // Wrong on one case of five: 100% → 80%.
    model.always((request) =>
      firstUser(request) === 'Which file mentions MARKER?' ? { text: 'I am not sure.' } : right(request),
    )
    const worse = await punie(['eval', 'run', MINI, '--model', model.spec])
    const compared = await punie(['eval', 'compare', runIdOf(good.stdout), runIdOf(worse.stdout)])
    expect(compared.code).toBe(0)
    expect(compared.stdout).toMatch(
      /overall\s+100\.0% \[56\.6–100\.0%\]\s+80\.0% \[37\.6–96\.4%\]\s+-20\.0\s+within noise/,
    )
    expect(compared.stdout).toContain('regressed cases: mini/find-marker')
  })
})

describe('punie eval validate', () => {
  it('reports every problem of every file in one pass, each with its file and line', async () => {
    const tools = join(home.path, 'tools.yaml')
    writeFileSync(
      tools,
      [
        'suite: tools',
        'mcp_servers: [docs]',
        'cases:',
        '  - id: a',
        '    category: c',
        '    prompt: p',
        '    expect:',
        '      tools: [read_flie, docs__search]',
        '      forbid: [wirte_file]',
        '  - id: b',
        '    category: c',
        '    prompt: p',
        '    tool_mode: code',
        '    expect:',
        '      tools: [execute_code]',
        '      code_calls: [nope_tool, github__search]',
        '',
      ].join('\n'),
    )
    const schema = join(home.path, 'schema.yaml')
    writeFileSync(
      schema,
      'cases:\n  - id: x\n    category: c\n    prompt: p\n    expect:\n      tool: [read_file]\n  - id: y\n    category: c\n    expect: { facts: [] , no_tools: true }\n',
    )
    const validated = await punie(['eval', 'validate', tools, schema, join(SUITES, 'baseline.yaml')])
    expect(validated.code).toBe(1)
    const lines = validated.stderr.trim().split('\n')
    expect(lines).toEqual([
      `${tools}:8:15: case a: no tool named "read_flie" (did you mean read_file?)`,
      `${tools}:9:16: case a: no tool named "wirte_file" (did you mean write_file?)`,
      `${tools}:16:20: case b: no tool named "nope_tool"`,
      `${tools}:16:31: case b: no tool named "github__search" (an MCP tool: declare the server with mcp_servers: [github], or pass --allow-mcp)`,
      `${schema}:6:7: Unrecognized key: "tool" (cases.0.expect)`,
      `${schema}:6:7: expect needs at least one check (cases.0.expect)`,
      `${schema}:7:5: Invalid input: expected string, received undefined (cases.1.prompt)`,
      'punie eval: 7 problem(s) in 2 file(s)',
    ])
    expect(validated.stdout).toBe(`${join(SUITES, 'baseline.yaml')}: baseline, 14 cases — valid\n`)

    const lenient = await punie(['eval', 'validate', tools, '--allow-mcp'])
    expect(lenient.stderr).not.toContain('github__search')
    expect(lenient.stderr).toContain('nope_tool')
  })

  it('keeps `eval run` from starting on a suite that expects a tool that does not exist', async () => {
    const bad = join(home.path, 'bad.yaml')
    writeFileSync(
      bad,
      'cases:\n  - id: a\n    category: c\n    prompt: p\n    expect:\n      tools: [read_flie]\n',
    )
    const ran = await punie(['eval', 'run', bad, '--model', model.spec])
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(`${bad}:6:15: case a: no tool named "read_flie" (did you mean read_file?)`)
    expect(model.chatRequests()).toHaveLength(0)
  })

  it('accepts every shipped suite', async () => {
    const files = readdirSync(SUITES).map((f) => join(SUITES, f))
    const validated = await punie(['eval', 'validate', ...files])
    expect(validated.stderr).toBe('')
    expect(validated.code).toBe(0)
    expect(validated.stdout.trim().split('\n')).toHaveLength(files.length)
  })
})
