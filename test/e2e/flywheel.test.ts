// The flywheel end to end: a real session (the agent as a child process, a scripted model, a scripted IDE)
// with edits, a failed test and its fix, a rejected permission, a Code Mode turn and a planted secret; then
// `punie flywheel` as a child process: opt-in, stats, review, export in every format, read back unchanged.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
import type { Example } from '../../src/dataset/example.js'
import { FORMATS, formatByName } from '../../src/dataset/formats/index.js'
import { roundTripForm } from '../../src/dataset/formats/shared.js'
import { readJsonl } from '../../src/dataset/jsonl.js'
import { readExamples } from '../../src/dataset/read-examples.js'
import { BIN, REPO_ROOT, spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedIde } from '../helpers/ide.js'
import { needs } from '../helpers/needs.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

const pytest = needs('pytest')

// Made-up secrets in their providers' formats: none may reach an export.
const OPENAI_KEY = `sk-proj-${'Q7x2Lm9vB4nR8tZ1kW6yH3cJ5pD0fG'.repeat(3)}`
const DB_PASSWORD = 'Tr0ub4dor&3xyzzy'
const GITHUB_TOKEN = `ghp_${'Zq8Vb2Nw5Kx7Lm3Rt9Yp4Hs6'.repeat(2).slice(0, 36)}`

interface Run {
  code: number
  stdout: string
  stderr: string
}

let userHome: ReturnType<typeof makeTempDir>
let model: ScriptedModelServer
let workspace: string
let punieHome: string

beforeEach(async () => {
  userHome = makeTempDir('punie-user-')
  workspace = join(userHome.path, 'proj')
  punieHome = join(userHome.path, '.punie')
  mkdirSync(workspace)
  model = await ScriptedModelServer.start()
})

afterEach(async () => {
  await model.close()
  userHome.remove()
})

function punie(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, PUNIE_HOME: punieHome, HOME: userHome.path },
        timeout: 15_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const SCRIPT = '/usr/bin/script'
function hasScript(): boolean {
  if (process.platform === 'linux' && existsSync(SCRIPT)) return true
  console.warn('skipped the terminal review: needs script(1) from util-linux')
  return false
}

/** `punie ARGS` in a pseudo-terminal (util-linux script), typing `keys`. */
function punieInTerminal(args: string[], keys: string): Promise<Run> {
  return new Promise((resolve) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
    const child = execFile(
      SCRIPT,
      ['-qfec', command, '/dev/null'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, PUNIE_HOME: punieHome, HOME: userHome.path },
        timeout: 15_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    // Typed once the review is waiting for its first key.
    let typed = false
    child.stdout?.on('data', (data: Buffer) => {
      if (typed || !data.toString().includes('[a]ccept')) return
      typed = true
      child.stdin?.write(keys)
    })
  })
}

function call(id: string, name: string, args: Record<string, unknown>) {
  return { toolCalls: [{ id, name, arguments: args }] }
}

/** Runs the session the closing note asks for; returns nothing, the store holds it. */
async function recordSession(): Promise<void> {
  writeFileSync(join(workspace, 'calc.py'), 'def add(a, b):\n    return a - b\n')
  writeFileSync(
    join(workspace, 'test_calc.py'),
    'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  )
  writeFileSync(join(workspace, '.env'), `OPENAI_API_KEY=${OPENAI_KEY}\nDB_PASSWORD=${DB_PASSWORD}\n`)
  writeFileSync(join(workspace, 'deploy.py'), `GITHUB = "${GITHUB_TOKEN}"\n`)
  model.enqueue(
    // Turn 1: reads the settings (the secrets), a wrong fix, a failing test run.
    call('c1', 'read_file', { path: '.env' }),
    call('c2', 'read_file', { path: 'deploy.py' }),
    call('c3', 'edit_file', { path: 'calc.py', old: 'a - b', new: 'a * b' }),
    call('c4', 'run_tests', { path: 'test_calc.py' }),
    { text: `The test still fails; the token in deploy.py is ${GITHUB_TOKEN}.` },
    // Turn 2: the user corrects; the right fix and a passing run.
    call('c5', 'edit_file', { path: 'calc.py', old: 'a * b', new: 'a + b' }),
    call('c6', 'run_tests', { path: 'test_calc.py' }),
    { text: 'Fixed: add returns the sum and the test passes.' },
    // Turn 3: a command the user refuses.
    call('c7', 'run_command', { command: 'rm test_calc.py' }),
    { text: 'Understood, I left the tests in place.' },
    // Turn 4: Code Mode.
    call('c8', 'execute_code', { code: 'len(read_file("calc.py")["content"].splitlines())' }),
    { text: 'calc.py has 2 lines.' },
  )
  const ide = new ScriptedIde().answerPermissions(
    'allow_once',
    'allow_once',
    'allow_once',
    'allow_once',
    'reject_once',
  )
  const agent = spawnAgent({
    home: punieHome,
    args: ['--model', model.spec],
    env: { HOME: userHome.path },
    ide,
  })
  try {
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace)
    for (const prompt of [
      'Fix add in calc.py and run the tests',
      "no, that's wrong: add must return the sum",
      'Delete the tests',
      'How many lines has calc.py? Use code.',
    ])
      expect((await agent.harness.prompt(sessionId, prompt)).stopReason).toBe('end_turn')
    expect(readFileSync(join(workspace, 'calc.py'), 'utf8')).toContain('a + b')
  } finally {
    await agent.harness.close()
  }
}

async function readLines(path: string): Promise<unknown[]> {
  const lines: unknown[] = []
  for await (const line of readJsonl(path)) {
    if (!line.ok) throw new Error(`${path}:${line.line}: ${line.error}`)
    lines.push(line.value)
  }
  return lines
}

pytest.it(
  'captures a real session, labels its turns, scrubs it and exports it in every format, read back unchanged',
  { timeout: 60_000 },
  async () => {
    await recordSession()

    // Capture is opt-in: nothing is read before the project is enabled.
    const before = await punie(['flywheel', 'export', '-o', join(userHome.path, 'none.jsonl')])
    expect(before.code).toBe(1)
    expect(before.stderr).toMatch(/no project is captured: run `punie flywheel enable/)
    expect(existsSync(join(userHome.path, 'none.jsonl'))).toBe(false)
    const enable = await punie(['flywheel', 'enable', workspace])
    expect(enable.code, enable.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(punieHome, 'config.json'), 'utf8')).flywheel.projects).toEqual([
      workspace,
    ])

    const outputs = new Map<string, string>()
    for (const format of FORMATS) {
      const out = join(userHome.path, `export-${format.name}.jsonl`)
      const run = await punie(['flywheel', 'export', '-o', out, '--format', format.name])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toMatch(/Exported 4 of 4 examples from 1 session as/)
      outputs.set(format.name, out)
    }
    const canonicalPath = outputs.get('openai') as string
    const canonical: Example[] = []
    for await (const line of readExamples(canonicalPath)) {
      expect(line.ok, JSON.stringify(line)).toBe(true)
      if (line.ok) canonical.push(line.example)
    }
    expect(canonical).toHaveLength(4)
    // What `punie dataset validate` checks: roles, every call answered, arguments against each tool's schema.
    const validated = await punie(['dataset', 'validate', canonicalPath, '--quiet'])
    expect(validated.code, validated.stdout + validated.stderr).toBe(0)

    // The system prompt and tools the store does not keep are derived again: as the agent really sent them.
    const first = model.chatRequests()[0]?.body
    expect(canonical[0]?.messages[0]).toEqual({
      role: 'system',
      content: first?.messages[0]?.content?.replaceAll(userHome.path, '~'),
    })
    expect(canonical[0]?.tools?.slice(0, first?.tools?.length)).toEqual(first?.tools)

    // Every format reads back to the canonical examples, and no secret or home path is in any output.
    for (const [name, path] of outputs) {
      const text = readFileSync(path, 'utf8')
      for (const secret of [OPENAI_KEY, DB_PASSWORD, GITHUB_TOKEN, userHome.path])
        expect(text.includes(secret), `${name} holds ${secret}`).toBe(false)
      const format = formatByName(name)
      if (!format) throw new Error(`no format ${name}`)
      // Up to what the format keeps: ids rebuilt in order where it has none (see docs/datasets.md).
      const back = (await readLines(path)).map((line) => roundTripForm(format.toExample(line), format.keeps))
      expect(back, name).toEqual(canonical.map((example) => roundTripForm(example, format.keeps)))
    }

    const [fix, correct, refuse, code] = canonical as [Example, Example, Example, Example]
    const users = canonical.map((e) => e.messages.find((m) => m.role === 'user')?.content)
    expect(users[0]).toBe('Fix add in calc.py and run the tests')
    // The failed test after an edit, corrected by the next prompt: a failure.
    expect(fix.metadata).toMatchObject({ outcome: 'failure', toolMode: 'direct' })
    expect(fix.metadata?.labels).toEqual(
      expect.arrayContaining(['permission-allowed', 'tests-failed-after-edit', 'corrected']),
    )
    // The secrets are replaced by typed placeholders where they were read.
    const results = fix.messages.filter((m) => m.role === 'tool').map((m) => m.content)
    expect(results[0]).toContain('OPENAI_API_KEY=[REDACTED:env-value]')
    expect(results[1]).toContain('[REDACTED:github-token]')
    expect(JSON.stringify(fix.messages.at(-1))).toContain('[REDACTED:github-token]')
    expect(fix.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('~/proj') })
    expect(fix.tools?.map((t) => t.function.name)).toEqual(expect.arrayContaining(['read_file', 'run_tests']))
    // The fix: tests pass after the edit.
    expect(correct.metadata).toMatchObject({ outcome: 'success' })
    expect(correct.metadata?.labels).toEqual(expect.arrayContaining(['tests-passed-after-edit', 'tools-ok']))
    // The refused command.
    expect(refuse.metadata).toMatchObject({ outcome: 'mixed' })
    expect(refuse.metadata?.labels).toEqual(expect.arrayContaining(['permission-rejected', 'tool-failed']))
    // Code Mode keeps its execute_code call.
    expect(code.metadata).toMatchObject({ toolMode: 'code', outcome: 'success' })
    const snippet = code.messages.find((m) => m.role === 'assistant' && m.tool_calls)
    expect(snippet).toMatchObject({ tool_calls: [{ function: { name: 'execute_code' } }] })

    // Filters and review.
    const good = join(userHome.path, 'good.jsonl')
    expect((await punie(['flywheel', 'export', '-o', good, '--only-successful'])).code).toBe(0)
    expect((await readLines(good)).map((l) => (l as Example).metadata?.outcome)).toEqual([
      'success',
      'success',
    ])
    const none = join(userHome.path, 'accepted.jsonl')
    expect((await punie(['flywheel', 'export', '-o', none, '--accepted'])).code).toBe(0)
    expect(await readLines(none)).toEqual([])
    const accept = await punie(['flywheel', 'review', '--accept-all'])
    expect(accept.stdout).toMatch(/Accepted 4 examples/)
    expect((await punie(['flywheel', 'export', '-o', none, '--accepted'])).code).toBe(0)
    expect(await readLines(none)).toHaveLength(4)
    const list = await punie(['flywheel', 'review', '--list'])
    expect(list.stdout).toMatch(/failure {2}\[.*tests-failed-after-edit.*\] {2}\(accepted\)/)
    expect(list.stdout).not.toContain(GITHUB_TOKEN)

    if (hasScript()) {
      // In a terminal (script(1) gives it one): reject the first, skip the second, accept the third, quit.
      const review = await punieInTerminal(['flywheel', 'review', '--all'], 'rsaq')
      expect(review.stdout).toMatch(/\(1\/4\) flywheel:.*failure/)
      expect(review.stdout).toMatch(/1 accepted, 1 rejected, 1 skipped, 1 left/)
      expect((await punie(['flywheel', 'export', '-o', none, '--accepted'])).code).toBe(0)
      expect(await readLines(none)).toHaveLength(3)
    }
    const nonInteractive = await punie(['flywheel', 'review'])
    expect(nonInteractive.code).toBe(2)
    expect(nonInteractive.stderr).toMatch(/use --list .* or --accept-all/)

    const stats = await punie(['flywheel', 'stats', '--json'])
    expect(stats.code, stats.stderr).toBe(0)
    expect(JSON.parse(stats.stdout)).toMatchObject({
      sessions: 1,
      turns: 4,
      examples: 4,
      outcomes: { failure: 1, success: 2, mixed: 1 },
      reviewed: hasScript() ? { accepted: 3, rejected: 1 } : { accepted: 4 },
    })
    const bad = await punie(['flywheel', 'export', '-o', none, '--format', 'nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown format "nope": use one of openai/)
  },
)
