// One step after training (fuse, convert, export): a command run to its end with a deadline, its output
// appended to the run's log, a non-zero exit turned into an error that quotes the output's end.
import { spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { dieWithThisProcess, signalProcessGroup } from '../processes.js'
import type { Command } from './runner.js'

export class StepError extends Error {
  override name = 'StepError'
}

const TAIL = 4000

export function runStep(command: Command, log: string, timeoutMs = 6 * 3600_000): Promise<void> {
  appendFileSync(log, `\n$ ${command.argv.join(' ')}\n`)
  return new Promise((resolve, reject) => {
    const child = spawn(command.argv[0] as string, command.argv.slice(1), {
      cwd: command.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const release = dieWithThisProcess(child.pid, { group: true })
    let tail = ''
    const keep = (chunk: Buffer) => {
      appendFileSync(log, chunk)
      tail = (tail + chunk.toString('utf8')).slice(-TAIL)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      signalProcessGroup(child.pid, 'SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      release()
      reject(new StepError(`cannot start ${command.argv[0]}: ${error.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      release()
      if (code === 0) resolve()
      else
        reject(
          new StepError(
            `${command.argv[0]} ${timedOut ? `ran past ${Math.round(timeoutMs / 1000)} s` : `exited with ${code ?? signal}`}: ${tail.trim().split('\n').slice(-8).join('\n')}`,
          ),
        )
    })
  })
}
