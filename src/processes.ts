// Processes Punie starts in groups of their own (commands, tools, model servers): signalling a whole group,
// telling whether a process still runs, and making sure the ones tied to this agent die with it.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Writable } from 'node:stream'

/** Sends `signal` to the process group led by `pid` (the process alone on Windows); a gone process is no error. */
export function signalProcessGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal)
  } catch {
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
 * The watchdog, as a program for `node -e`: it reads "+PID" and "-PID" lines from its stdin, and when stdin
 * ends (the agent exited or was killed, SIGKILL included: the kernel closes the pipe) it SIGKILLs the process
 * group of every PID still listed, or the process alone where it leads no group, then exits.
 */
const WATCHDOG = `
const pids = new Set()
let pending = ''
const kill = (pid) => { try { process.kill(-pid, 'SIGKILL') } catch { try { process.kill(pid, 'SIGKILL') } catch {} } }
const end = () => { for (const pid of pids) kill(pid); process.exit(0) }
process.on('SIGINT', () => {})
process.on('SIGTERM', () => {})
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  pending += chunk
  const lines = pending.split('\\n')
  pending = lines.pop()
  for (const line of lines) {
    const pid = Number(line.slice(1))
    if (!Number.isInteger(pid) || pid <= 0) continue
    if (line[0] === '+') pids.add(pid)
    else pids.delete(pid)
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
 * Kills `pid`'s process group (or the process) if this agent dies before calling the returned function,
 * which is to be called once the group has been killed or has exited on its own.
 */
export function dieWithThisProcess(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined
  const input = watchdogInput()
  input?.write(`+${pid}\n`)
  let done = false
  return () => {
    if (done) return
    done = true
    if (input && !input.destroyed) input.write(`-${pid}\n`)
  }
}
