// Progress of a long pass over a file: a redrawn bar on a terminal (stderr), else one line every few seconds
// and a final line, so logs of CI runs show that it moves without drowning in updates.
export interface Progress {
  /** A new step: its label and, when known, how many bytes it will read (for the bar and the share done). */
  start(label: string, totalBytes?: number): void
  /** Lines and bytes done since the last tick. */
  tick(lines: number, bytes: number): void
  /** Ends the step with one line, e.g. "12,000 examples, 3 problems". */
  done(summary: string): void
  /** A line of its own (a problem with its file:line), written over a bar being drawn; written even when off. */
  note(text: string): void
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean; columns?: number }
  /** Off: nothing is written (--quiet, or a caller that prints JSON and wants stderr clean). */
  enabled?: boolean
  /** Seconds between lines when the stream is not a terminal. */
  lineEverySeconds?: number
  now?: () => number
}

const REDRAW_MS = 100
const BAR = 24

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const enabled = options.enabled ?? true
  const tty = !!stream.isTTY
  const every = (options.lineEverySeconds ?? 2) * 1000
  const now = options.now ?? Date.now
  let label = ''
  let total: number | undefined
  let lines = 0
  let bytes = 0
  let started = 0
  let last = 0
  let drawn = false

  const render = (final: boolean): string => {
    const seconds = Math.max((now() - started) / 1000, 1e-3)
    const rate = `${formatCount(Math.round(lines / seconds))} lines/s, ${formatBytes(bytes / seconds)}/s`
    const share = total ? Math.min(1, bytes / total) : undefined
    const counts = `${formatCount(lines)} lines, ${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''}`
    if (tty && !final && share !== undefined) {
      const filled = Math.round(share * BAR)
      return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(share * 100).toFixed(0)}%  ${counts}  ${rate}`
    }
    return `${label}: ${share !== undefined && !final ? `${(share * 100).toFixed(0)}%, ` : ''}${counts}, ${rate}, ${seconds.toFixed(1)} s`
  }

  return {
    start(nextLabel, totalBytes) {
      label = nextLabel
      total = totalBytes
      lines = 0
      bytes = 0
      started = now()
      last = started
      drawn = false
    },
    tick(n, b) {
      lines += n
      bytes += b
      if (!enabled) return
      const t = now()
      if (t - last < (tty ? REDRAW_MS : every)) return
      last = t
      if (tty) {
        const columns = ('columns' in stream && stream.columns) || 100
        stream.write(`\r${render(false).slice(0, columns - 1)}\x1b[K`)
        drawn = true
      } else stream.write(`${render(false)}\n`)
    },
    done(summary) {
      if (!enabled) return
      stream.write(`${tty && drawn ? '\r\x1b[K' : ''}${render(true)}${summary ? ` — ${summary}` : ''}\n`)
    },
    note(text) {
      stream.write(`${tty && drawn ? '\r\x1b[K' : ''}${text}\n`)
      drawn = false
    },
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${Math.round(n)} B`
}
