// Shared by the editing tools: the current text of a file (null when it does not exist yet) and the edit itself.
import type { Workspace } from '../../workspace/workspace.js'

export async function currentText(
  workspace: Workspace,
  path: string,
  signal?: AbortSignal,
): Promise<string | null> {
  try {
    return await workspace.readText(path, {}, signal)
  } catch (error) {
    if ((error as { name?: string }).name === 'WorkspaceFileNotFoundError') return null
    throw error
  }
}

export class EditError extends Error {
  override name = 'EditError'
}

/** Exact string replacement; `old` must occur once unless every occurrence is to be replaced. */
export function replaceExact(
  text: string,
  old: string,
  replacement: string,
  all: boolean,
): { text: string; count: number } {
  if (!old)
    throw new EditError('`old` is empty: give the exact text to replace (use write_file to create a file)')
  const count = text.split(old).length - 1
  if (count === 0) {
    throw new EditError(
      '`old` was not found in the file: read the file and copy the text exactly, whitespace included',
    )
  }
  if (count > 1 && !all) {
    throw new EditError(
      `\`old\` occurs ${count} times: add surrounding lines to make it unique, or pass replace_all: true`,
    )
  }
  return {
    text: all ? text.split(old).join(replacement) : text.replace(old, () => replacement),
    count: all ? count : 1,
  }
}
