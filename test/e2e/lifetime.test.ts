// Nothing outlives the agent: after a SIGKILL, the commands it started and its sandbox child are gone, and the
// tool call that was running replays as failed ("interrupted") in session/load and in the model's history.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { methods } from '@agentclientprotocol/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { processAlive } from '../../src/processes.js'
import { useSpawnedAgents } from '../helpers/spawned-agents.js'

const run = promisify(execFile)

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The children of `pid` whose command line mentions `text`: from /proc on Linux, else from ps. */
async function childrenOf(pid: number, text: string): Promise<number[]> {
  if (existsSync('/proc/self/stat')) {
    return readdirSync('/proc').flatMap((entry) => {
      if (!/^\d+$/.test(entry)) return []
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
        return ppid === pid && args.includes(text) ? [Number(entry)] : []
      } catch {
        return []
      }
    })
  }
  const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid=,args='])
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((m) => (m && Number(m[2]) === pid && m[3]?.includes(text) ? [Number(m[1])] : []))
}

/** CPU seconds `pid` has used: user plus system ticks from /proc on Linux (100 a second), else ps's TIME. */
async function cpuSeconds(pid: number): Promise<number> {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100
    } catch {
      return 0
    }
  }
  const { stdout } = await run('ps', ['-o', 'time=', '-p', String(pid)]).catch(() => ({ stdout: '' }))
  return stdout
    .trim()
    .split(/[-:]/)
    .map(Number)
    .reduce((total, part) => total * 60 + part, 0)
}

describe.skipIf(process.platform === 'win32')('an agent killed with SIGKILL', () => {
  const agents = useSpawnedAgents()
  const start = () => agents.start()
  const leftovers: number[] = []
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone, as it should be
      }
    }
  })

  it('takes its background command and its looping sandbox child with it; the call replays as interrupted', async () => {
    const pidFile = join(agents.workspace, 'sleep.pid')
    const first = start()
    await first.harness.initialize()
    const { sessionId } = await first.harness.newSession(agents.workspace)
    await first.harness.agent.request(methods.agent.session.setConfigOption, {
      sessionId,
      configId: 'mode',
      value: 'yolo',
    })
    agents.model.enqueue(
      {
        toolCalls: [
          {
            name: 'run_command',
            arguments: { command: `echo $$ > ${pidFile}; exec sleep 300`, background: true },
          },
        ],
      },
      { toolCalls: [{ name: 'execute_code', arguments: { code: 'n = 0\nwhile True:\n    n += 1' } }] },
    )
    void first.harness.prompt(sessionId, 'start a server, then count forever').catch(() => undefined)
    const agentPid = first.child.pid as number
    let sandbox: number[] = []
    await until('the sleep and the sandbox child run', async () => {
      sandbox = await childrenOf(agentPid, 'monty-child')
      return existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '' && sandbox.length > 0
    })
    // Let the snippet get going: a child spinning in Monty's native loop no longer sees its IPC channel close.
    await until('the sandbox child is busy', async () => (await cpuSeconds(sandbox[0] as number)) >= 0.5)
    const sleepPid = Number(readFileSync(pidFile, 'utf8').trim())
    leftovers.push(sleepPid, ...sandbox)
    expect(processAlive(sleepPid)).toBe(true)

    first.child.kill('SIGKILL')
    await first.exited
    const alive = () => [sleepPid, ...sandbox].filter((pid) => processAlive(pid))
    await until('the sleep and the sandbox child are gone', () => alive().length === 0).catch((error) => {
      throw new Error(`${error.message}: still running ${alive().join(', ')} (sleep ${sleepPid})`)
    })

    const second = start()
    await second.harness.initialize()
    await second.harness.loadSession(sessionId, agents.workspace)
    const updates = second.harness.updates(sessionId)
    const ends = updates.flatMap((u) =>
      u.sessionUpdate === 'tool_call_update' && u.status === 'failed' ? [u] : [],
    )
    expect(ends).toHaveLength(1)
    expect(JSON.stringify(ends[0]?.content)).toContain('interrupted')
    const running = updates.filter(
      (u) =>
        u.sessionUpdate === 'tool_call' &&
        !updates.some(
          (e) => e.sessionUpdate === 'tool_call_update' && e.toolCallId === u.toolCallId && e.status,
        ),
    )
    expect(running).toEqual([])

    agents.model.enqueue({ text: 'It was interrupted.' })
    await second.harness.prompt(sessionId, 'what happened?')
    const messages = agents.model.chatRequests().at(-1)?.body.messages ?? []
    const toolResults = messages.filter((m) => m.role === 'tool').map((m) => String(m.content))
    expect(toolResults.at(-1)).toMatch(/interrupted/)
  })
})
