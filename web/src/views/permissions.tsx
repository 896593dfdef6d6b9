// Permission requests waiting in a session: each with what it would do, and the four answers. The first answer
// of any client wins; a later one is told so.
import { useState } from 'preact/hooks'
import type { PermissionAnswer, SessionSummary } from '../../../src/server/dashboard/api.js'
import { enc, HttpError, postJson } from '../api.js'
import { useApp } from '../context.js'
import type { PendingRequest, SessionView, ToolCard } from '../session-view.js'
import { Content } from './tool-card.js'

function pendingRequests(view: SessionView, summary: SessionSummary): PendingRequest[] {
  const list = [...view.pending]
  const p = summary.activity.state === 'permission' ? summary.activity.permission : undefined
  if (p && !list.some((r) => r.toolCallId === p.toolCallId) && !answered(view, p.toolCallId))
    list.push({
      toolCallId: p.toolCallId,
      turnId: '',
      title: p.title,
      scope: p.scope,
      at: p.at,
      allowAlways: p.allowAlways !== false,
    })
  return list
}

function answered(view: SessionView, toolCallId: string): boolean {
  for (const t of view.turns) {
    const card = t.tools[toolCallId]
    if (card) return card.permission !== undefined || card.status === 'completed' || card.status === 'failed'
  }
  return false
}

function findCard(view: SessionView, toolCallId: string): ToolCard | undefined {
  for (let i = view.turns.length - 1; i >= 0; i--) {
    const card = view.turns[i]?.tools[toolCallId]
    if (card) return card
  }
  return undefined
}

const OUTCOMES: { outcome: PermissionAnswer['outcome']; label: string; cls: string }[] = [
  { outcome: 'allow_once', label: 'Allow once', cls: 'primary' },
  { outcome: 'allow_always', label: 'Always allow', cls: '' },
  { outcome: 'reject_once', label: 'Reject', cls: 'danger' },
  { outcome: 'reject_always', label: 'Always reject', cls: '' },
]

export function Permissions({
  base,
  view,
  summary,
}: {
  base: string
  view: SessionView
  summary: SessionSummary
}) {
  const pending = pendingRequests(view, summary)
  if (pending.length === 0) return null
  return (
    <div class="permissions">
      {pending.map((p) => (
        <PermissionBanner key={p.toolCallId} base={base} request={p} card={findCard(view, p.toolCallId)} />
      ))}
    </div>
  )
}

function PermissionBanner({
  base,
  request,
  card,
}: {
  base: string
  request: PendingRequest
  card: ToolCard | undefined
}) {
  const { report } = useApp()
  const [sent, setSent] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const answer = (outcome: PermissionAnswer['outcome']) => {
    setSent(outcome)
    const body: PermissionAnswer = { outcome }
    postJson(`${base}/permissions/${enc(request.toolCallId)}`, body).catch((error) => {
      if (error instanceof HttpError && error.status === 409)
        setNote('Another client answered this request first.')
      else {
        setSent(null)
        report(error)
      }
    })
  }
  return (
    <div class="permission" data-testid="permission" data-tool-call-id={request.toolCallId}>
      <div class="perm-head">
        <strong>Permission needed</strong>
        <span class="perm-title">{request.title}</span>
        {request.scope && <code class="muted">{request.scope}</code>}
      </div>
      {card?.content.map((c, i) => (
        <Content key={i} content={c} />
      ))}
      {note && <div class="perm-note">{note}</div>}
      <div class="perm-actions">
        {OUTCOMES.filter((o) => request.allowAlways || o.outcome !== 'allow_always').map((o) => (
          <button
            key={o.outcome}
            type="button"
            class={o.cls}
            data-outcome={o.outcome}
            disabled={sent !== null}
            onClick={() => answer(o.outcome)}
          >
            {o.label}
          </button>
        ))}
        {sent && !note && <span class="muted">sent: {sent.replace('_', ' ')}…</span>}
      </div>
    </div>
  )
}
