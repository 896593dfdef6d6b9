import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { setMode } from './tool-harness.js'

/** Alive and not a zombie (a container's init may never reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return true
  }
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.each([
  { name: 'IDE-backed workspace', ide: () => new ScriptedIde() },
  { name: 'local workspace', ide: undefined },
])('cancelling a running command on the $name', (setup) => {
  const f = useProtocolFixture(setup.ide ? { ide: setup.ide } : {})

  it('kills the command and the processes it started, and the session goes on', async () => {
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    f.model.enqueue({
      toolCalls: [
        {
          name: 'run_command',
          arguments: { command: 'sleep 60 & echo $! > child.pid; echo $$ > shell.pid; wait' },
        },
      ],
    })
    const running = f.acp.prompt(sessionId, 'run the long job')
    const shellPidFile = join(f.workspace, 'shell.pid')
    const childPidFile = join(f.workspace, 'child.pid')
    await until(
      () =>
        existsSync(shellPidFile) &&
        existsSync(childPidFile) &&
        readFileSync(childPidFile, 'utf8').trim() !== '',
    )
    const pids = [shellPidFile, childPidFile].map((p) => Number(readFileSync(p, 'utf8').trim()))
    expect(pids.every(isAlive)).toBe(true)

    await f.acp.cancel(sessionId)
    expect((await running).stopReason).toBe('cancelled')
    await until(() => pids.every((pid) => !isAlive(pid)))

    f.model.enqueue({ text: 'stopped it' })
    expect((await f.acp.prompt(sessionId, 'ok')).stopReason).toBe('end_turn')
  })
})
