// Runs the built `punie` binary as a child process with its own PUNIE_HOME and collects what it prints.
import { spawn } from 'node:child_process'
import { BIN, REPO_ROOT } from './acp-harness.js'

export interface PunieRun {
  code: number | null
  stdout: string
  stderr: string
}

export function runPunie(
  args: readonly string[],
  options: { home: string; cwd?: string },
): Promise<PunieRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, PUNIE_HOME: options.home },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
