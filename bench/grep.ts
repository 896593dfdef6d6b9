// grep's regular expression runs in a worker thread: what a small search costs (cold: the thread starts; warm:
// it is reused), and how fast a catastrophic pattern is stopped, by cancel and by the deadline, while the
// agent's event loop stays free (the longest timer delay meanwhile).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_DEVTOOL_SETTINGS } from '../src/devtools/settings.js'
import { disposeAll } from '../src/session/project.js'
import { grep } from '../src/tools/builtin/grep.js'
import type { ToolContext } from '../src/tools/define.js'
import { LocalWorkspace } from '../src/workspace/local.js'
import { makeTempDir } from '../test/helpers/temp.js'

const PATHOLOGICAL = '^((a+)\\2?)+$'

export interface GrepFigures {
  coldMs: number
  warmMs: number
  cancelStopMs: number
  deadlineMs: number
  deadlineStopMs: number
  maxTimerLagMs: number
  idleTimerLagMs: number
}

export async function grepFigures(deadlineMs = 1000): Promise<GrepFigures> {
  const dir = makeTempDir('punie-bench-grep-')
  writeFileSync(join(dir.path, 'small.py'), 'def main():\n    return 42\n'.repeat(50))
  writeFileSync(join(dir.path, 'victim.txt'), `${'a'.repeat(27)}!\n`)
  const memos = new Map<string, unknown>()
  const context = (
    signal: AbortSignal,
    grepTimeoutMs = DEFAULT_DEVTOOL_SETTINGS.grepTimeoutMs,
  ): ToolContext => ({
    sessionId: 'bench',
    toolCallId: 'grep',
    signal,
    workspace: new LocalWorkspace(dir.path),
    emit: () => undefined,
    callTool: async () => ({ ok: false, kind: 'failed', message: 'not in the benchmark' }),
    memo: <T>(key: string, make: () => T): T => {
      if (!memos.has(key)) memos.set(key, make())
      return memos.get(key) as T
    },
    project: { root: dir.path, memo: <T>(_key: string, make: () => T) => make() },
    settings: { ...DEFAULT_DEVTOOL_SETTINGS, grepTimeoutMs },
  })
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now()
    await run().catch(() => undefined)
    return performance.now() - started
  }
  try {
    const small = { pattern: 'return \\d+', glob: 'small.py' }
    const coldMs = await timed(() => grep.run(small, context(new AbortController().signal)))
    const warm: number[] = []
    for (let i = 0; i < 20; i++)
      warm.push(await timed(() => grep.run(small, context(new AbortController().signal))))

    let maxTimerLagMs = 0
    let probing = true
    const probe = async () => {
      while (probing) {
        const asked = performance.now()
        await new Promise((resolve) => setTimeout(resolve, 10))
        maxTimerLagMs = Math.max(maxTimerLagMs, performance.now() - asked - 10)
      }
    }
    // The same probe with nothing running: on a busy machine the scheduler alone delays timers.
    let probed = probe()
    await new Promise((resolve) => setTimeout(resolve, deadlineMs + 200))
    probing = false
    await probed
    const idleTimerLagMs = maxTimerLagMs
    maxTimerLagMs = 0
    probing = true
    probed = probe()
    const cancel = new AbortController()
    const running = grep.run({ pattern: PATHOLOGICAL }, context(cancel.signal)).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const cancelStopMs = await timed(async () => {
      cancel.abort()
      await running
    })
    const deadlineRun = await timed(() =>
      grep.run({ pattern: PATHOLOGICAL }, context(new AbortController().signal, deadlineMs)),
    )
    probing = false
    await probed
    return {
      coldMs,
      warmMs: warm.sort((a, b) => a - b)[Math.floor(warm.length / 2)] ?? 0,
      cancelStopMs,
      deadlineMs,
      deadlineStopMs: deadlineRun - deadlineMs,
      maxTimerLagMs,
      idleTimerLagMs,
    }
  } finally {
    await disposeAll(memos.values())
    dir.remove()
  }
}
