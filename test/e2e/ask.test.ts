// `punie ask` as a real process: in-process and against a running server, permission answers from a real
// terminal (a pty made by script(1)), without one, and with --yes; JSON output; Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, REPO_ROOT } from '../helpers/acp-harness.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { type ServedPunie, startServe } from '../helpers/server.js'
import { makeTempDir } from '../helpers/temp.js'

let model: ScriptedModelServer
let home: string
let workspace: string
const cleanups: (() => void | Promise<void>)[] = []

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

function ask(args: string[], options: { stdin?: string; onStart?: (child: ChildProcess) => void } = {}) {
  const child = spawn(
    process.execPath,
    [BIN, 'ask', ...args, '--workspace', workspace, '--model', model.spec],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PUNIE_HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  return collect(child, options)
}

function collect(child: ChildProcess, options: { stdin?: string; onStart?: (child: ChildProcess) => void }) {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  if (options.stdin !== undefined) child.stdin?.end(options.stdin)
  options.onStart?.(child)
  return new Promise<Ran>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

const writeCall = {
  toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: '# Notes\n' } }],
}

beforeEach(async () => {
  const h = makeTempDir('punie-home-')
  const w = makeTempDir('punie-ws-')
  cleanups.push(h.remove, w.remove)
  home = h.path
  workspace = w.path
  model = await ScriptedModelServer.start()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await model.close()
})

describe('punie ask', () => {
  it('answers in-process, runs tools on the workspace, and keeps stdout for the answer', async () => {
    writeFileSync(join(workspace, 'todo.txt'), 'buy milk\n')
    model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'todo.txt' } }] })
    model.enqueue((request) => {
      const toolResult = request.body.messages.find((m) => m.role === 'tool')?.content ?? ''
      return { text: toolResult.includes('buy milk') ? 'You need to buy **milk**.' : 'I could not read it.' }
    })
    const ran = await ask(['what is on my list?'])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toBe('You need to buy **milk**.\n')
    expect(ran.stderr).toMatch(/✓ Read todo\.txt|✓ .*todo\.txt/)
  })

  it('denies permission without a terminal, allows with --yes, and prints JSON', async () => {
    model.enqueue(writeCall, { text: 'done' })
    const denied = await ask(['write my notes'], { stdin: '' })
    expect(denied.code).toBe(0)
    expect(denied.stderr).toContain('denied:')
    expect(existsSync(join(workspace, 'notes.md'))).toBe(false)

    model.enqueue(
      { ...writeCall, usage: { prompt_tokens: 300, completion_tokens: 20 } },
      { text: 'written', usage: { prompt_tokens: 350, completion_tokens: 5 } },
    )
    const allowed = await ask(['write my notes', '--yes', '--json'])
    expect(allowed.code).toBe(0)
    expect(readFileSync(join(workspace, 'notes.md'), 'utf8')).toBe('# Notes\n')
    const result = JSON.parse(allowed.stdout)
    // tokens: prompt plus completion over the prompt's two model requests.
    expect(result).toMatchObject({ stopReason: 'end_turn', answer: 'written', tokens: 320 + 355 })
    expect(result.toolCalls).toEqual([
      expect.objectContaining({
        name: 'write_file',
        kind: 'edit',
        arguments: { path: 'notes.md', content: '# Notes\n' },
        status: 'completed',
        result: expect.anything(),
        durationMs: expect.any(Number),
      }),
    ])
  })

  it('shows why a tool failed, on the progress line and in --json', async () => {
    model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'nope.txt' } }] },
      { text: 'no file' },
    )
    const ran = await ask(['read nope.txt'])
    expect(ran.code).toBe(0)
    expect(ran.stderr).toMatch(/✗ Read nope\.txt \(\d+ ms\): no such file: nope\.txt\n/)

    model.enqueue(
      { toolCalls: [{ name: 'read_file', arguments: { path: 'nope.txt' } }] },
      { text: 'no file' },
    )
    const json = JSON.parse((await ask(['read nope.txt', '--json'])).stdout)
    expect(json.toolCalls).toEqual([
      expect.objectContaining({
        name: 'read_file',
        arguments: { path: 'nope.txt' },
        status: 'failed',
        error: expect.stringMatching(/^no such file: nope\.txt/),
      }),
    ])
  })

  it('tells a failed turn from an answer: the reason on stdout, exit 1, and the error in --json', async () => {
    model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' })
    const ran = await ask(['hello'])
    expect(ran.code).toBe(1)
    expect(ran.stdout).toMatch(/⚠ .*CUDA out of memory/)
    expect(ran.stderr).not.toMatch(/punie ask \(/)

    model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' })
    const json = await ask(['hello', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      stopReason: 'end_turn',
      error: expect.stringMatching(/CUDA out of memory/),
    })
  })

  it('asks on a real terminal: n denies, a allows', async () => {
    const inPty = (answers: string) =>
      collect(
        spawn(
          'script',
          [
            '-qfec',
            [process.execPath, BIN, 'ask', 'write my notes', '--workspace', workspace, '--model', model.spec]
              .map((a) => `'${a}'`)
              .join(' '),
            '/dev/null',
          ],
          { cwd: REPO_ROOT, env: { ...process.env, PUNIE_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] },
        ),
        {
          onStart: (child) => {
            let sent = false
            child.stdout?.on('data', (d: Buffer) => {
              if (!sent && d.toString().includes('[a]lways')) {
                sent = true
                child.stdin?.write(answers)
              }
            })
          },
        },
      )
    model.enqueue(writeCall, { text: 'skipped it' })
    const no = await inPty('n\r')
    expect(no.stdout).toContain('Allow Write notes.md')
    // The diff comes before the question.
    expect(no.stdout).toMatch(
      /\+\+\+ notes\.md \(new file\)\r?\n@@ -0,0 \+1,1 @@\r?\n\+# Notes\r?\n[\s\S]*Allow Write/,
    )
    expect(existsSync(join(workspace, 'notes.md'))).toBe(false)
    expect(no.code).toBe(0)

    model.enqueue(writeCall, { text: '## Done\nwrote `notes.md`' })
    const yes = await inPty('a\r')
    expect(yes.code).toBe(0)
    expect(readFileSync(join(workspace, 'notes.md'), 'utf8')).toBe('# Notes\n')
    // Rendered markdown in a terminal: the heading in bold, inline code coloured, no raw markup.
    expect(yes.stdout).toContain('\x1b[1m')
    expect(yes.stdout).toContain('\x1b[36mnotes.md')
    expect(yes.stdout).not.toContain('## Done')
  })

  it('cancels on Ctrl-C and exits 130', async () => {
    model.enqueue({ text: 'z'.repeat(500), chunkSize: 1, delayMs: 20 })
    const ran = await ask(['count slowly'], {
      onStart: (child) => {
        child.stdout?.once('data', () => child.kill('SIGINT'))
      },
    })
    expect(ran.code).toBe(130)
    expect(ran.stderr).toContain('cancelling')
    expect(ran.stdout).not.toContain('z'.repeat(500))
  })

  describe('with a server running', () => {
    let served: ServedPunie
    beforeEach(async () => {
      served = await startServe({ home, args: ['--model', model.spec] })
    })
    afterEach(async () => {
      await served.stop('SIGKILL')
    })

    it('uses the server, which reaches the workspace through the client', async () => {
      writeFileSync(join(workspace, 'todo.txt'), 'call mum\n')
      model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'todo.txt' } }] })
      model.enqueue((request) => ({
        text: (request.body.messages.find((m) => m.role === 'tool')?.content ?? '').includes('call mum')
          ? 'Call your mum.'
          : 'nothing',
      }))
      model.enqueue(writeCall, { text: 'noted' })
      const ran = await ask(['what is on my list?', '--json'])
      expect(ran.code).toBe(0)
      const result = JSON.parse(ran.stdout)
      expect(result.answer).toBe('Call your mum.')
      const sessions = await (
        await fetch(`${served.url}/api/sessions`, { headers: { Authorization: `Bearer ${served.token}` } })
      ).json()
      expect((sessions as { sessions: { id: string }[] }).sessions.map((s) => s.id)).toEqual([
        result.sessionId,
      ])

      const denied = await ask(['write my notes'], { stdin: '' })
      expect(denied.stderr).toContain('denied:')
      expect(existsSync(join(workspace, 'notes.md'))).toBe(false)
    })

    it('shows a failed turn through the server as a failure too', async () => {
      model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"model crashed"}}' })
      const ran = await ask(['hello', '--json'])
      expect(ran.code).toBe(1)
      expect(JSON.parse(ran.stdout).error).toMatch(/model crashed/)
    })
  })
})
