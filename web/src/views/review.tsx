// Captured flywheel examples to accept or reject before they become training data.
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ReviewDecision, ReviewItem, ReviewList } from '../../../src/server/dashboard/api.js'
import { enc, getJson, postJson } from '../api.js'
import { useApp } from '../context.js'
import { relativeTime } from '../format.js'
import { useNow } from '../live.js'
import { sessionHref } from '../router.js'

const CHOICES: { decision: ReviewDecision['decision']; label: string; cls: string }[] = [
  { decision: 'accepted', label: 'Accept', cls: 'primary' },
  { decision: 'rejected', label: 'Reject', cls: 'danger' },
]

export function ReviewView() {
  const { report } = useApp()
  const [list, setList] = useState<ReviewList | null>(null)
  const [all, setAll] = useState(false)
  const now = useNow(30_000)
  useEffect(() => {
    getJson<ReviewList>('/api/review').then(setList).catch(report)
  }, [report])
  const decide = useCallback(
    (id: string, decision: ReviewDecision['decision']) => {
      const body: ReviewDecision = { decision }
      postJson(`/api/review/${enc(id)}`, body)
        .then(() =>
          setList(
            (l) => l && { ...l, examples: l.examples.map((e) => (e.id === id ? { ...e, decision } : e)) },
          ),
        )
        .catch(report)
    },
    [report],
  )
  if (!list) return <p class="empty">Loading…</p>
  if (!list.enabled)
    return (
      <div class="review">
        <h1>Review</h1>
        <p class="empty">
          No project collects examples yet. To opt a project in, run <code>punie flywheel enable</code> in it;
          its finished sessions then show here for review.
        </p>
      </div>
    )
  const shown = all ? list.examples : list.examples.filter((e) => e.decision === null)
  const open = list.examples.filter((e) => e.decision === null).length
  return (
    <div class="review">
      <div class="toolbar">
        <h1>Review</h1>
        <span class="muted">
          {open} undecided of {list.examples.length}
        </span>
        <span class="spacer" />
        <div class="segmented">
          <button type="button" class={all ? '' : 'on'} onClick={() => setAll(false)}>
            Undecided
          </button>
          <button type="button" class={all ? 'on' : ''} onClick={() => setAll(true)}>
            All
          </button>
        </div>
      </div>
      {shown.length === 0 && <p class="empty">Nothing to review.</p>}
      {shown.map((e) => (
        <Example key={e.id} item={e} now={now} decide={decide} />
      ))}
    </div>
  )
}

function Example({
  item,
  now,
  decide,
}: {
  item: ReviewItem
  now: number
  decide: (id: string, d: ReviewDecision['decision']) => void
}) {
  return (
    <article class={`example decided-${item.decision ?? 'none'}`} data-example-id={item.id}>
      <div class="example-head">
        <span class={`tag outcome-${item.outcome}`}>{item.outcome}</span>
        {item.labels.map((l) => (
          <span key={l} class="tag subtle">
            {l}
          </span>
        ))}
        <a href={sessionHref(item.sessionId)} class="muted">
          {item.project} · {relativeTime(item.at, now)}
        </a>
        <span class="spacer" />
        {item.decision && <strong class={`decision ${item.decision}`}>{item.decision}</strong>}
        {CHOICES.map((choice) => (
          <button
            key={choice.decision}
            type="button"
            class={item.decision === choice.decision ? choice.cls : ''}
            data-decision={choice.decision}
            onClick={() => decide(item.id, choice.decision)}
          >
            {choice.label}
          </button>
        ))}
      </div>
      <ol class="lines">
        {item.lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ol>
    </article>
  )
}
