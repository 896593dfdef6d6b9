// A tool call as a card: title, kind, status and time; its diff, text and output; Code Mode calls inside.
import type { ToolContent } from '../../../src/tools/define.js'
import { duration, json, outputParts } from '../format.js'
import type { ToolCard } from '../session-view.js'
import { DiffView } from './diff.js'
import { Disclosure } from './disclosure.js'
import { pure } from './pure.js'
import { ModelText } from './text.js'

const CODE_TOOL = 'execute_code'

/** Re-rendered only when its card or its turn's cards change, not on every message delta. */
export const ToolCardView = pure(function ToolCardView({
  card,
  tools,
}: {
  card: ToolCard
  tools: Readonly<Record<string, ToolCard>>
}) {
  const code = codeOf(card)
  const done = card.status === 'completed' || card.status === 'failed'
  const hasOutput = done && card.output !== undefined && card.output !== null && card.output !== ''
  return (
    <div
      class={`tool-card status-${card.status}`}
      data-testid="tool-card"
      data-tool-call-id={card.id}
      data-status={card.status}
    >
      <div class="tool-head">
        <span class={`dot status-${card.status}`} aria-hidden="true" />
        <span class="tool-title" title={card.title}>
          {card.title}
        </span>
        <span class="tag">{card.kind}</span>
        {card.name !== card.title && <span class="tag subtle">{card.name}</span>}
        {card.backend !== 'local' && <span class="tag subtle">{card.backend}</span>}
        {card.permission && (
          <span class={`tag perm-${card.permission}`}>{card.permission.replace('_', ' ')}</span>
        )}
        <span class="tool-status">{statusLabel(card)}</span>
      </div>
      {card.locations.length > 0 && !code && (
        <div class="locations">
          {card.locations.map((l) => (
            <span key={`${l.path}:${l.line ?? ''}`}>
              {l.path}
              {l.line !== undefined ? `:${l.line}` : ''}
            </span>
          ))}
        </div>
      )}
      {code !== null && <pre class="code snippet">{code}</pre>}
      {card.children.length > 0 && (
        <div class="nested">
          {card.children.map((id) => {
            const child = tools[id]
            return child ? <ToolCardView key={id} card={child} tools={tools} /> : null
          })}
        </div>
      )}
      {card.content.map((c, i) => (
        <Content key={i} content={c} />
      ))}
      {card.status === 'failed' && card.error && <pre class="tool-error">{card.error}</pre>}
      {hasOutput && (
        <Disclosure
          class="output"
          summary="output"
          open={card.kind === 'execute' || card.status === 'failed'}
        >
          {() =>
            outputParts(card.output).map((p) => (
              <div key={p.label} class={`out out-${p.label.replace(' ', '-')}`}>
                <span class="out-label">{p.label}</span>
                <pre>{p.text.text}</pre>
                {p.text.more > 0 && <div class="muted more">… {p.text.more} more bytes</div>}
              </div>
            ))
          }
        </Disclosure>
      )}
      {code === null && card.input !== undefined && card.input !== null && (
        <Disclosure class="input" summary="input">
          {() => <pre>{json(card.input)}</pre>}
        </Disclosure>
      )}
    </div>
  )
})

export function Content({ content }: { content: ToolContent }) {
  switch (content.type) {
    case 'diff':
      return <DiffView path={content.path} oldText={content.oldText} newText={content.newText} />
    case 'text':
      // A tool's text is often markdown with a fenced block (Code Mode's printed output): the fences are not shown.
      return (
        <div class="tool-text">
          <ModelText text={content.text} />
        </div>
      )
    case 'terminal':
      return <div class="muted">terminal {content.terminalId}</div>
  }
}

function codeOf(card: ToolCard): string | null {
  if (card.name !== CODE_TOOL) return null
  const input = card.input as { code?: unknown } | null
  return typeof input?.code === 'string' ? input.code : null
}

function statusLabel(card: ToolCard): string {
  const time = card.durationMs !== undefined ? ` · ${duration(card.durationMs)}` : ''
  return `${card.status}${time}`
}
