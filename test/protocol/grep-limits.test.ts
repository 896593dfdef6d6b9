import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useProtocolFixture } from './fixtures.js'
import { runTool } from './tool-harness.js'

// Exponential backtracking: on 27 a's and a '!' this takes half a minute or more on the main thread.
const PATHOLOGICAL = '^((a+)\\2?)+$'
const VICTIM = `${'a'.repeat(27)}!`

describe('grep with a catastrophic regular expression', () => {
  const f = useProtocolFixture()

  it('searches many files in batches, each match under its own path, stopping at 100', async () => {
    for (let i = 0; i < 150; i++) writeFileSync(join(f.workspace, `m${i}.txt`), `noise\nneedle ${i}\n`)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'grep', { pattern: 'needle \\d+' })
    const lines = run.result.split('\n')
    expect(lines.at(-1)).toBe('[truncated at 100 matches]')
    const found = lines.slice(0, -1)
    expect(found).toHaveLength(100)
    for (const line of found) expect(line).toMatch(/^m(\d+)\.txt:2: needle \1$/)
  })

  it('says which files it did not search because they are too large, instead of "no matches"', async () => {
    writeFileSync(join(f.workspace, 'huge.log'), `${'filler line\n'.repeat(250_000)}needle\n`)
    writeFileSync(join(f.workspace, 'small.txt'), 'nothing here\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'grep', { pattern: 'needle' })
    expect(run.result).toMatch(/^No matches in 1 files\.\n\[not searched: 1 files over 2 MB: huge\.log;/)
  })

  it('stops at the deadline with a clear error and the matches found before', async () => {
    f.writeConfig({ grepTimeoutMs: 300 })
    await f.restart()
    writeFileSync(join(f.workspace, 'victim.txt'), `aaaa\n${VICTIM}\n`)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'grep', { pattern: PATHOLOGICAL })
    expect(run.result).toMatch(/^Error: the pattern took too long: simplify it \(stopped after 0\.3 s/)
    expect(run.result).toContain('victim.txt:1: aaaa')
    // The session goes on, and the next grep gets a fresh worker.
    const next = await runTool(f, sessionId, 'grep', { pattern: 'a{4}' })
    expect(next.result).toContain('victim.txt:1: aaaa')
  })

  it('leaves the agent free for other sessions while it runs, and cancel ends it at once', async () => {
    writeFileSync(join(f.workspace, 'victim.txt'), `${VICTIM}\n`)
    const stuck = await f.session()
    const other = await f.session()
    f.model.enqueue({ toolCalls: [{ id: 'call_stuck', name: 'grep', arguments: { pattern: PATHOLOGICAL } }] })
    let stuckDone = false
    const running = f.acp.prompt(stuck, 'search').then((r) => {
      stuckDone = true
      return r
    })
    await f.acp.waitFor(() =>
      f.acp
        .updates(stuck)
        .some(
          (u) =>
            u.sessionUpdate === 'tool_call_update' &&
            u.toolCallId === 'call_stuck' &&
            u.status === 'in_progress',
        ),
    )
    // A timer and another session's whole prompt round trip complete while the pattern is still running.
    let timerFired = false
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        timerFired = true
        resolve()
      }, 50),
    )
    f.model.enqueue({ text: 'meanwhile' })
    const answered = await f.acp.prompt(other, 'are you there?')
    expect(answered.stopReason).toBe('end_turn')
    expect(f.acp.agentText(other)).toBe('meanwhile')
    expect(timerFired).toBe(true)
    expect(stuckDone).toBe(false)
    // The default deadline (10 s) is far off: only the cancel can end the call now.
    await f.acp.cancel(stuck)
    expect((await running).stopReason).toBe('cancelled')
    const failed = f.acp
      .updates(stuck)
      .filter((u) => u.sessionUpdate === 'tool_call_update' && u.toolCallId === 'call_stuck')
      .map((u) => ('status' in u ? u.status : undefined))
    expect(failed).toContain('failed')
  })
})
