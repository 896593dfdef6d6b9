// Project instructions (the agents.md convention): which file counts, and how much of it the prompt carries.
// Pure; instructions-load.ts does the reading.
import { dirname, join, relative } from 'node:path'
import { formatBytes } from '../tools/limits.js'
import { isWithin } from '../workspace/paths.js'

/**
 * What the system prompt carries of the file at most. The default window of a small local model is 8,192 tokens;
 * 8 KB is about 2,000 of them, a quarter, and leaves the conversation room. The rest is read with read_file.
 */
export const INSTRUCTIONS_CAP_BYTES = 8 * 1024

/**
 * The names looked for in each directory, first match wins. PUNIE.md is written for Punie, so it beats the
 * generic AGENTS.md beside it; CLAUDE.md counts only when no AGENTS.md or PUNIE.md is found anywhere on the way
 * up, since a project with both keeps its agent-neutral instructions in AGENTS.md.
 */
export const INSTRUCTION_NAMES = ['PUNIE.md', 'AGENTS.md'] as const
export const FALLBACK_INSTRUCTION_NAME = 'CLAUDE.md'

/** The directories searched, closest first: from `cwd` up to the project root (just `cwd` when it is outside). */
export function instructionDirs(cwd: string, root: string): string[] {
  if (!isWithin(root, cwd)) return [cwd]
  const dirs: string[] = []
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.push(dir)
    if (dir === root || dirname(dir) === dir) return dirs
  }
}

/** Every candidate path, in the order they are tried. */
export function instructionCandidates(cwd: string, root: string): string[] {
  const dirs = instructionDirs(cwd, root)
  return [
    ...dirs.flatMap((dir) => INSTRUCTION_NAMES.map((name) => join(dir, name))),
    ...dirs.map((dir) => join(dir, FALLBACK_INSTRUCTION_NAME)),
  ]
}

/** The file that counts: the first candidate that is a file. */
export function chooseInstructionFile(candidates: readonly string[], isFile: (path: string) => boolean) {
  return candidates.find(isFile)
}

export interface CappedText {
  text: string
  /** Whether the file was cut to fit. */
  capped: boolean
  /** The file's size on disk. */
  bytes: number
  /** The bytes of the file the text keeps (the marker aside). */
  keptBytes: number
}

/**
 * `head` (the file's first bytes, possibly more than the cap) cut to whole lines within `capBytes`, with a marker
 * that says how much was left out and how to read the rest. `display` is the path read_file takes.
 */
export function capInstructions(
  head: string,
  totalBytes: number,
  display: string,
  capBytes = INSTRUCTIONS_CAP_BYTES,
): CappedText {
  const bytes = Math.max(totalBytes, Buffer.byteLength(head))
  if (bytes <= capBytes) return { text: head, capped: false, bytes, keptBytes: bytes }
  const room = Buffer.from(head, 'utf8')
    .subarray(0, capBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')
  const newline = room.lastIndexOf('\n')
  // One line longer than the cap keeps its beginning; otherwise only whole lines.
  const kept = newline > 0 ? room.slice(0, newline + 1) : room
  const keptBytes = Buffer.byteLength(kept)
  const lines = kept.split('\n').length - (kept.endsWith('\n') ? 1 : 0)
  const marker = `[${display} is ${formatBytes(bytes)}; the first ${formatBytes(keptBytes)} (lines 1-${lines}) are above and ${formatBytes(bytes - keptBytes)} were left out. Read the rest with read_file path="${display}" line=${lines + 1} when it matters.]`
  return { text: `${kept.endsWith('\n') ? kept : `${kept}\n`}${marker}`, capped: true, bytes, keptBytes }
}

/** How the prompt names the file: relative to the session's cwd (read_file's base) when inside it. */
export function displayPath(cwd: string, path: string): string {
  return isWithin(cwd, path) ? relative(cwd, path) : path
}
