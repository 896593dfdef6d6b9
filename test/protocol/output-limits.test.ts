import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { byteLength } from '../../src/tools/limits.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const codeSession = async (f: ReturnType<typeof useProtocolFixture>) => {
  const sessionId = await f.session()
  await f.acp.agent.request(methods.agent.session.setConfigOption, {
    sessionId,
    configId: 'tool_mode',
    value: 'code',
  })
  await setMode(f, sessionId, 'yolo')
  return sessionId
}

/** The sandbox children of this process (the test runs the agent in-process). */
function sandboxPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'monty-child.js'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

/** Peak resident set (VmHWM) of the sandbox child, polled while `work` runs, in MB; undefined without /proc. */
async function peakSandboxRssMb<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakMb: number | undefined }> {
  if (!existsSync('/proc/self/status')) return { result: await work(), peakMb: undefined }
  let peakKb = 0
  const sample = () => {
    for (const pid of sandboxPids()) {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
        peakKb = Math.max(peakKb, kb)
      } catch {
        // the child exited between pgrep and the read
      }
    }
  }
  const timer = setInterval(sample, 25)
  try {
    const result = await work()
    sample()
    return { result, peakMb: peakKb / 1024 }
  } finally {
    clearInterval(timer)
  }
}

describe('output is bounded everywhere', () => {
  const f = useProtocolFixture()

  it('stops a print flood in Code Mode with a clear error, and the sandbox child stays small', async () => {
    f.writeConfig({ codeMode: { timeoutMs: 15_000 } })
    await f.restart()
    const sessionId = await codeSession(f)
    await runTool(f, sessionId, 'execute_code', { code: 'print("warm")' })
    const { result: flood, peakMb } = await peakSandboxRssMb(() =>
      runTool(f, sessionId, 'execute_code', { code: 'while True:\n    print("x" * 1000)' }),
    )
    if (peakMb === undefined) console.log('peak RSS of the sandbox child not measured: no /proc here')
    else {
      console.log(`peak RSS of the sandbox child during the print flood: ${peakMb.toFixed(1)} MB`)
      expect(peakMb).toBeLessThanOrEqual(300)
    }
    expect(flood.result).toMatch(
      /RuntimeError: the code printed more than 1,000,000 characters and was stopped/,
    )
    expect(flood.result.length).toBeLessThanOrEqual(40_000)
    const next = await runTool(f, sessionId, 'execute_code', { code: 'print("alive")' })
    expect(next.result).toMatch(/^alive/)
  })

  it('caps a huge returned value before it reaches the model or the store', async () => {
    const sessionId = await codeSession(f)
    const id = 'call_huge'
    f.model.enqueue(
      { toolCalls: [{ id, name: 'execute_code', arguments: { code: '"x" * 100_000_000' } }] },
      { text: 'done' },
    )
    await f.acp.prompt(sessionId, 'make a big string')
    const [first, second] = f.model.chatRequests()
    // What the tool result added to the next request is within the cap (32 KB), not 100 MB.
    expect((second?.bytes ?? 0) - (first?.bytes ?? 0)).toBeLessThanOrEqual(40 * 1024)
    const toolMessage = second?.body.messages.find((m) => m.tool_call_id === id)?.content ?? ''
    expect(toolMessage).toMatch(/^\(no output\)\nResult \(cut: too big to return whole/)
    expect(toolMessage).toMatch(/more not shown|more characters/)
    const database = join(f.home, 'punie.db')
    const stored =
      statSync(database).size + (existsSync(`${database}-wal`) ? statSync(`${database}-wal`).size : 0)
    console.log(
      `100 MB return value: next model request grew by ${(second?.bytes ?? 0) - (first?.bytes ?? 0)} B; store ${stored} B`,
    )
    expect(stored).toBeLessThanOrEqual(5 * 1024 * 1024)
  })

  it('reads a 5 MB single-line file capped in bytes, saying how to find the rest', async () => {
    writeFileSync(join(f.workspace, 'blob.min.js'), 'y'.repeat(5 * 1024 * 1024))
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'read_file', { path: 'blob.min.js' })
    expect(byteLength(run.result)).toBeLessThanOrEqual(32 * 1024)
    expect(run.result).toMatch(/\[truncated: line 1 alone is 5 MB; showed its first 31\.5 KB\. Use grep/)
    writeFileSync(join(f.workspace, 'long.txt'), `${'z'.repeat(99)}\n`.repeat(50_000))
    const lines = await runTool(f, sessionId, 'read_file', { path: 'long.txt' })
    expect(byteLength(lines.result)).toBeLessThanOrEqual(32 * 1024)
    expect(lines.result).toMatch(/\[truncated: showed lines 1-\d+ of 50000; pass line\/limit to read more\]$/)
  })

  it('caps every tool result at maxToolResultBytes in one place, with a note on how to get the rest', async () => {
    f.writeConfig({ maxToolResultBytes: 4096 })
    await f.restart()
    mkdirSync(join(f.workspace, 'many'))
    for (let i = 0; i < 300; i++)
      writeFileSync(join(f.workspace, 'many', `file-with-a-long-name-${i}.txt`), '')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'list_dir', { path: 'many' })
    expect(byteLength(run.result)).toBeLessThanOrEqual(4096)
    expect(run.result).toMatch(/more not shown: a tool result may add at most 4 KB to the conversation/)
  })

  it('bounds what a tool card shows of huge arguments', async () => {
    const sessionId = await f.session()
    const path = `${'a/'.repeat(2_500_000)}x.py`
    const read = await runTool(f, sessionId, 'read_file', { path }, { chunkSize: 1 << 20 })
    expect(read.result).toMatch(/^Error:/)
    const cardBytes = byteLength(JSON.stringify(read.cards))
    console.info(`a ${path.length.toLocaleString('en')}-character path: tool card updates ${cardBytes} B`)
    expect(cardBytes).toBeLessThanOrEqual(200_000)
    expect(JSON.stringify(read.cards)).toContain('more characters]')
  })
})
