// Reads the project's instructions file from disk, inside the project's boundary: a symlink that leads out of
// it is refused, and only the first bytes of a large file are read.
import { stat } from 'node:fs/promises'
import { openInside } from '../workspace/paths.js'
import {
  type CappedText,
  capInstructions,
  chooseInstructionFile,
  displayPath,
  INSTRUCTIONS_CAP_BYTES,
  instructionCandidates,
} from './instructions.js'

export interface LoadedInstructions extends CappedText {
  /** Absolute path of the file. */
  path: string
  /** The path as the model and the user see it (read_file takes it). */
  display: string
}

export interface InstructionsResult {
  loaded?: LoadedInstructions
  /** Why a file that was there was not loaded. */
  problems: string[]
}

/** What decides whether the instructions must be read again: each candidate's size and mtime. */
export async function instructionsSignature(cwd: string, root: string): Promise<string> {
  const stats = await Promise.all(
    instructionCandidates(cwd, root).map((path) => stat(path).catch(() => undefined)),
  )
  return stats.map((s) => (s?.isFile() ? `${s.size}:${s.mtimeMs}` : '-')).join(',')
}

export async function loadInstructions(
  cwd: string,
  root: string,
  capBytes = INSTRUCTIONS_CAP_BYTES,
): Promise<InstructionsResult> {
  const candidates = instructionCandidates(cwd, root)
  const files = new Set<string>()
  await Promise.all(
    candidates.map(async (path) => {
      if ((await stat(path).catch(() => undefined))?.isFile()) files.add(path)
    }),
  )
  const path = chooseInstructionFile(candidates, (p) => files.has(p))
  if (!path) return { problems: [] }
  const display = displayPath(cwd, path)
  try {
    const { handle } = await openInside([root, cwd], path, 'read')
    try {
      const { size } = await handle.stat()
      // Enough for the cap and the character it may split; the rest of a 200 KB file is never read.
      const buffer = Buffer.alloc(Math.min(size, capBytes + 4))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      const head = buffer.subarray(0, bytesRead).toString('utf8')
      return { loaded: { path, display, ...capInstructions(head, size, display, capBytes) }, problems: [] }
    } finally {
      await handle.close()
    }
  } catch (error) {
    return {
      problems: [`${display} was not loaded: ${error instanceof Error ? error.message : String(error)}`],
    }
  }
}
