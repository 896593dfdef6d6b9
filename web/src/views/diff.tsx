// A file change as a coloured line diff (the same diff the terminal client prints).
import { diffText } from '../../../src/client/diff-text.js'
import { pure } from './pure.js'

const MAX_DIFF_LINES = 600

/** Pure: the line diff is computed again only when the texts change. */
export const DiffView = pure(function DiffView({
  path,
  oldText,
  newText,
}: {
  path: string
  oldText: string | null
  newText: string
}) {
  const lines = diffText(path, oldText, newText, { context: 3, maxLines: MAX_DIFF_LINES })
  return (
    <div class="diff" data-testid="diff" data-path={path}>
      {lines.length === 0 ? (
        <div class="diff-line meta">{path}: no change</div>
      ) : (
        lines.map((line, i) => (
          <div key={i} class={`diff-line ${lineClass(line)}`}>
            {line || ' '}
          </div>
        ))
      )}
    </div>
  )
})

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'meta'
  if (line.startsWith('@@')) return 'hunk'
  if (line.startsWith('…')) return 'meta'
  if (line.startsWith('+')) return 'add'
  if (line.startsWith('-')) return 'del'
  return 'ctx'
}
