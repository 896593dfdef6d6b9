// Processes Punie starts in groups of their own (commands, tools, model servers): signalling a whole group,
// telling whether a process still runs, and making sure the ones tied to this agent die with it.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Writable } from 'node:stream'

/**
 * Sends `signal` to the process group led by `pid` (the process alone on Windows); a gone process is no error.
 * `groupOnly` is for a leader that has exited (its pid may belong to another process by now): only its group,
 * which keeps the number while any member runs, is signalled.
 */
export function signalProcessGroup(
  pid: number | undefined,
  signal: NodeJS.Signals,
  options: { groupOnly?: boolean } = {},
): void {
  if (pid === undefined) return
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal)
  } catch {
    if (options.groupOnly && process.platform !== 'win32') return
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

/** Whether the process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/PID/stat.
    return !/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

/**
 * The watchdog, as a program for `node -e`. It reads lines from its stdin: "g PID" (a process group led by PID),
 * "p PID" (a single process) and "- PID" (done with it). When stdin ends (the agent exited or was killed,
 * SIGKILL included: the kernel closes the pipe) it SIGKILLs whatever is still listed, then exits.
 */
const WATCHDOG = `
const listed = new Map()
let pending = ''
const kill = (target) => { try { process.kill(target, 'SIGKILL') } catch {} }
const end = () => {
  for (const [pid, kind] of listed) kill(kind === 'g' && process.platform !== 'win32' ? -pid : pid)
  process.exit(0)
}
process.on('SIGINT', () => {})
process.on('SIGTERM', () => {})
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  pending += chunk
  const lines = pending.split('\\n')
  pending = lines.pop()
  for (const line of lines) {
    const [kind, number] = line.split(' ')
    const pid = Number(number)
    if (!Number.isInteger(pid) || pid <= 0) continue
    if (kind === '-') listed.delete(pid)
    else listed.set(pid, kind)
  }
})
process.stdin.on('end', end)
process.stdin.on('error', end)
`

/**
 * One watchdog per agent process, started on first use: Node offers no parent-death signal (prctl), but a
 * pipe closes on every platform when its writer dies. Module state on purpose: it stands for this process.
 */
let watchdog: { child: ChildProcess; input: Writable } | undefined

function watchdogInput(): Writable | undefined {
  if (watchdog && watchdog.child.exitCode === null && !watchdog.input.destroyed) return watchdog.input
  try {
    const child = spawn(process.execPath, ['-e', WATCHDOG], {
      // Its own group, so that a Ctrl-C or a group kill aimed at the agent leaves it to clean up.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    })
    const input = child.stdin as Writable & { unref?: () => void }
    child.on('error', () => undefined)
    input.on('error', () => undefined)
    // Neither the watchdog nor its pipe keeps the agent's event loop alive.
    child.unref()
    input.unref?.()
    watchdog = { child, input }
    return input
  } catch {
    return undefined
  }
}

/**
 * Kills `pid` if this agent dies before calling the returned function: the process group it leads when `group`
 * (a child spawned detached), else the process alone. Call the function once the group has been killed or
 * the process has exited.
 */
export function dieWithThisProcess(pid: number | undefined, options: { group: boolean }): () => void {
  if (pid === undefined) return () => undefined
  const input = watchdogInput()
  input?.write(`${options.group ? 'g' : 'p'} ${pid}\n`)
  let done = false
  return () => {
    if (done) return
    done = true
    if (input && !input.destroyed) input.write(`- ${pid}\n`)
  }
}
