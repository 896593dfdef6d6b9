// Every session of every client, grouped by project, live; and the form that starts a new one.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import type { NewSessionRequest, Overview, SessionSummary } from '../../../src/server/dashboard/api.js'
import { MODE_DESCRIPTIONS, PERMISSION_MODES, type PermissionMode } from '../../../src/tools/permission.js'
import { getJson, postJson } from '../api.js'
import { useApp } from '../context.js'
import { baseName, compactNumber, duration, relativeTime, sessionLabel, shortModel } from '../format.js'
import { useEventStream, useNow } from '../live.js'
import { sessionHref } from '../router.js'
import { groupSessions, type ProjectGroup } from '../sessions.js'
import { StateBadge } from './badge.js'

const ACTIVITY_EVENTS = ['session'] as const

/** When each summary arrived, by this page's clock: a working session's time goes on from there. */
const received = new WeakMap<SessionSummary, number>()

const isBusy = (s: SessionSummary) =>
  s.activity.state === 'thinking' || s.activity.state === 'tool' || s.activity.state === 'permission'

export function OverviewView() {
  const { report } = useApp()
  const [overview, setOverview] = useState<Overview | null>(null)
  const [sessions, setSessions] = useState<ReadonlyMap<string, SessionSummary>>(new Map())
  const busy = [...sessions.values()].some(isBusy)
  // A second's tick while a session works, so its time runs on the page between summaries.
  const now = useNow(busy ? 1000 : 10_000)
  const load = useCallback(() => {
    getJson<Overview>('/api/overview')
      .then((o) => {
        setOverview(o)
        for (const s of o.sessions) received.set(s, Date.now())
        setSessions(new Map(o.sessions.map((s) => [s.id, s])))
      })
      .catch(report)
  }, [report])
  useEffect(load, [load])
  const stream = useEventStream(
    '/api/activity',
    ACTIVITY_EVENTS,
    (_type, data) => {
      const s = data as SessionSummary
      if (typeof s?.id !== 'string') return
      received.set(s, Date.now())
      setSessions((map) => new Map(map).set(s.id, s))
    },
    load,
  )
  const groups = useMemo(() => groupSessions([...sessions.values()]), [sessions])
  const waiting = useMemo(
    () => [...sessions.values()].filter((s) => s.activity.state === 'permission').length,
    [sessions],
  )
  const latest = useMemo(
    () =>
      [...sessions.values()].reduce<SessionSummary | null>(
        (a, s) => (!a || s.updatedAt > a.updatedAt ? s : a),
        null,
      ),
    [sessions],
  )

  return (
    <div class="overview">
      <div class="toolbar">
        <h1>Sessions</h1>
        <span class="muted">
          {sessions.size} session{sessions.size === 1 ? '' : 's'}
          {waiting > 0 && <strong class="attention"> · {waiting} waiting for permission</strong>}
        </span>
        <StreamNote state={stream} />
      </div>
      <NewSession defaultCwd={latest?.project ?? ''} models={overview?.models ?? []} />
      {overview === null ? (
        <p class="empty">Loading…</p>
      ) : groups.length === 0 ? (
        <p class="empty">
          No sessions yet. Start one above, or connect an IDE or `punie ask` to this server.
        </p>
      ) : (
        groups.map((g) => <Project key={g.project} group={g} now={now} />)
      )}
      {overview?.more && <p class="muted">Older sessions are left out.</p>}
    </div>
  )
}

export function StreamNote({ state }: { state: string }) {
  if (state === 'open') return null
  return <span class="stream-note">{state === 'reconnecting' ? 'reconnecting…' : 'connecting…'}</span>
}

function Project({ group, now }: { group: ProjectGroup; now: number }) {
  return (
    <section class="project">
      <h2 title={group.project}>
        {baseName(group.project)} <span class="muted path">{group.project}</span>
      </h2>
      <table class="sessions">
        <thead>
          <tr>
            <th class="c-title">Session</th>
            <th>State</th>
            <th>Client</th>
            <th>Model</th>
            <th>Mode</th>
            <th class="num">Tokens</th>
            <th class="num">Time</th>
            <th class="num">Updated</th>
          </tr>
        </thead>
        <tbody>
          {group.sessions.map((s) => (
            <SessionRow key={s.id} s={s} now={now} />
          ))}
        </tbody>
      </table>
    </section>
  )
}

function SessionRow({ s, now }: { s: SessionSummary; now: number }) {
  const href = sessionHref(s.id)
  return (
    <tr
      data-session-id={s.id}
      data-state={s.activity.state}
      class={`row state-${s.activity.state}`}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a')) location.hash = href
      }}
    >
      <td class="c-title">
        <a href={href}>{sessionLabel(s.title, s.id)}</a>
      </td>
      <td>
        <StateBadge activity={s.activity} />
        {s.failure && (
          <span class="badge failed" title={s.failure}>
            last turn failed
          </span>
        )}
      </td>
      <td>{s.client}</td>
      <td title={s.model}>{shortModel(s.model)}</td>
      <td>{s.mode}</td>
      <td class="num" title={`${s.promptTokens} prompt + ${s.completionTokens} completion`}>
        {compactNumber(s.promptTokens + s.completionTokens)}
      </td>
      <td class="num">
        {duration(isBusy(s) ? s.busyMs + Math.max(0, now - (received.get(s) ?? now)) : s.busyMs)}
      </td>
      <td class="num" title={new Date(s.updatedAt).toLocaleString()}>
        {relativeTime(s.updatedAt, now)}
      </td>
    </tr>
  )
}

function NewSession({ defaultCwd, models }: { defaultCwd: string; models: readonly string[] }) {
  const { report } = useApp()
  const [cwd, setCwd] = useState<string | null>(null)
  const [prompt, setPrompt] = useState('')
  const [mode, setMode] = useState<PermissionMode>('ask')
  // Empty: the model the project's settings choose.
  const [model, setModel] = useState('')
  const [busy, setBusy] = useState(false)
  const dir = cwd ?? defaultCwd
  const start = (e: Event) => {
    e.preventDefault()
    if (!dir.trim() || busy) return
    const body: NewSessionRequest = {
      cwd: dir.trim(),
      mode,
      ...(model ? { model } : {}),
      ...(prompt.trim() ? { prompt } : {}),
    }
    setBusy(true)
    postJson<SessionSummary>('/api/sessions', body)
      .then((s) => {
        location.hash = sessionHref(s.id)
      })
      .catch(report)
      .finally(() => setBusy(false))
  }
  return (
    <form class="new-session" onSubmit={start}>
      <label class="grow">
        <span>Project directory</span>
        <input
          data-testid="new-session-cwd"
          type="text"
          value={dir}
          placeholder="/path/to/project"
          spellcheck={false}
          onInput={(e) => setCwd(e.currentTarget.value)}
        />
      </label>
      <label class="grow2">
        <span>First prompt (optional)</span>
        <input
          data-testid="new-session-prompt"
          type="text"
          value={prompt}
          placeholder="What should it do?"
          onInput={(e) => setPrompt(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>Mode</span>
        <select value={mode} onChange={(e) => setMode(e.currentTarget.value as PermissionMode)}>
          {PERMISSION_MODES.map((m) => (
            <option key={m} value={m} title={MODE_DESCRIPTIONS[m].description}>
              {MODE_DESCRIPTIONS[m].name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Model</span>
        <select
          data-testid="new-session-model"
          value={model}
          onChange={(e) => setModel(e.currentTarget.value)}
        >
          <option value="">project default</option>
          {models.map((m) => (
            <option key={m} value={m} title={m}>
              {shortModel(m)}
            </option>
          ))}
        </select>
      </label>
      <button data-testid="new-session-start" type="submit" class="primary" disabled={busy || !dir.trim()}>
        {busy ? 'Starting…' : 'New session'}
      </button>
    </form>
  )
}
