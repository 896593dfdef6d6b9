// File logger with size-based rotation. In ACP stdio mode stdout belongs to the protocol,
// so nothing here ever writes to stdout.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { format } from 'node:util'

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Logger {
  debug(message: string, ...args: unknown[]): void
  info(message: string, ...args: unknown[]): void
  warn(message: string, ...args: unknown[]): void
  error(message: string, ...args: unknown[]): void
}

export interface FileLoggerOptions {
  dir: string
  level: LogLevel
  file?: string
  maxBytes?: number
  keep?: number
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Appends synchronously so that a crash never loses the lines that explain it. */
export function createFileLogger(options: FileLoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level)
  if (options.level === 'silent') return silentLogger
  const path = join(options.dir, options.file ?? 'punie.log')
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024
  const keep = options.keep ?? 3
  mkdirSync(options.dir, { recursive: true })
  let size = fileSize(path)

  const rotate = () => {
    rmSync(`${path}.${keep}`, { force: true })
    for (let i = keep - 1; i >= 1; i--) moveIfExists(`${path}.${i}`, `${path}.${i + 1}`)
    moveIfExists(path, `${path}.1`)
    size = 0
  }

  const write = (level: LogLevel, message: string, args: unknown[]) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${format(message, ...args)}\n`
    try {
      if (size + line.length > maxBytes) rotate()
      appendFileSync(path, line)
      size += Buffer.byteLength(line)
    } catch {
      // A full disk or a removed log directory must not take the agent down.
    }
  }

  return {
    debug: (m, ...a) => write('debug', m, a),
    info: (m, ...a) => write('info', m, a),
    warn: (m, ...a) => write('warn', m, a),
    error: (m, ...a) => write('error', m, a),
  }
}

/** Sends console output to the logger so that stray console.log calls cannot corrupt a protocol stream. */
export function redirectConsole(logger: Logger): void {
  console.log = (...a: unknown[]) => logger.info(format(...a))
  console.info = (...a: unknown[]) => logger.info(format(...a))
  console.debug = (...a: unknown[]) => logger.debug(format(...a))
  console.warn = (...a: unknown[]) => logger.warn(format(...a))
  console.error = (...a: unknown[]) => logger.error(format(...a))
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function moveIfExists(from: string, to: string) {
  try {
    renameSync(from, to)
  } catch {
    // nothing to rotate
  }
}
