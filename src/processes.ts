// Processes Punie starts in groups of their own (commands, tools, model servers): signalling a whole group, and
// telling whether a process still runs.
import { readFileSync } from 'node:fs'

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
