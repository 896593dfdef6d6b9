// One session, live: its turns as they stream, and the controls that steer it.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { ActivityMessage, SessionDetail, SessionSummary } from '../../../src/server/dashboard/api.js'
import type { AgentEvent } from '../../../src/session/events.js'
import type { PlanEntry } from '../../../src/tools/define.js'
import { enc, getJson, HttpError, postJson } from '../api.js'
import { useApp } from '../context.js'
import { compactNumber, duration, sessionLabel, shortModel } from '../format.js'
import { useEventStream, useFrameBatch } from '../live.js'
import { perfHref } from '../router.js'
import {
  EVENT_TYPES,
  type Item,
  reduceEvents,
  runningTurn,
  type SessionView,
  type Turn,
} from '../session-view.js'
import { StateBadge } from './badge.js'
import { Disclosure } from './disclosure.js'
import { StreamNote } from './overview.js'
import { Permissions } from './permissions.js'
import { pure } from './pure.js'
import { ModelText } from './text.js'
import { ToolCardView } from './tool-card.js'

const ACTIVITY_EVENTS = ['session'] as const
/** How close to the bottom (px) counts as "following" the stream. */
const FOLLOW_SLACK = 80

interface Loaded {
  summary: SessionSummary
  modes: readonly string[]
  models: readonly string[]
}

export function SessionPage({ id }: { id: string }) {
  const { report } = useApp()
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [missing, setMissing] = useState<string | null>(null)
  const [view, setView] = useState<SessionView | null>(null)
  const [after, setAfter] = useState<number | null>(null)
  const base = `/api/sessions/${enc(id)}`

  const load = useCallback(() => {
    getJson<SessionDetail>(base)
      .then((d) => {
        setLoaded({ summary: d.session, modes: d.modes, models: d.models })
        setView((v) => reduceEvents(d.events, v ?? undefined))
        setAfter((a) => a ?? d.events.reduce((max, e) => Math.max(max, e.seq), 0))
      })
      .catch((error) => {
        if (error instanceof HttpError && error.status === 404) setMissing(error.message)
        else report(error)
      })
  }, [base, report])
  useEffect(load, [load])

  const push = useFrameBatch<AgentEvent>((events) => setView((v) => (v ? reduceEvents(events, v) : v)))
  const stream = useEventStream(
    after === null ? null : `${base}/events?after=${after}`,
    EVENT_TYPES,
    (_type, data) => {
      const event = data as AgentEvent
      if (typeof event?.seq === 'number') push(event)
    },
    load,
  )
  useEventStream(
    '/api/activity',
    ACTIVITY_EVENTS,
    (_type, data) => {
      const s = data as ActivityMessage
      if (s?.id === id) setLoaded((l) => (l ? { ...l, summary: s } : l))
    },
    () => {},
  )

  const follow = useFollow(view)
  const post = useCallback(
    (path: string, body: unknown) => {
      postJson(`${base}${path}`, body).catch(report)
    },
    [base, report],
  )

  if (missing) {
    return (
      <p class="empty">
        {missing}. <a href="#/">Back to the sessions</a>
      </p>
    )
  }
  if (!loaded || !view) return <p class="empty">Loading…</p>
  // From the events, not the summary: the turn's own start and end arrive on this stream.
  const running = runningTurn(view) !== undefined
  return (
    <div class="session" data-testid="session-view" data-session-id={id}>
      <SessionHeader id={id} loaded={loaded} view={view} stream={stream} post={post} />
      {view.turns.length === 0 && <p class="empty">No turns yet. Send a prompt below.</p>}
      <div class="turns">
        {view.turns.map((t) => (
          <TurnView key={t.id} turn={t} />
        ))}
      </div>
      {/* Sticky at the bottom: what needs the user (a permission, the prompt, cancel) stays in reach. */}
      <div class="dock">
        {!follow && (
          <button
            type="button"
            class="jump"
            onClick={() => scrollTo({ top: document.documentElement.scrollHeight })}
          >
            ↓ latest
          </button>
        )}
        <Permissions base={base} view={view} summary={loaded.summary} />
        <PromptBox
          base={base}
          running={running}
          cancellable={loaded.summary.running || loaded.summary.activity.state === 'permission'}
          onCancel={() => post('/cancel', {})}
        />
      </div>
    </div>
  )
}

/** Keeps the page at the bottom while the stream grows, until the user scrolls up. */
function useFollow(view: SessionView | null): boolean {
  const [follow, setFollow] = useState(true)
  const following = useRef(true)
  useEffect(() => {
    const onScroll = () => {
      const near = innerHeight + scrollY >= document.documentElement.scrollHeight - FOLLOW_SLACK
      if (near !== following.current) {
        following.current = near
        setFollow(near)
      }
    }
    addEventListener('scroll', onScroll, { passive: true })
    return () => removeEventListener('scroll', onScroll)
  }, [])
  useLayoutEffect(() => {
    if (following.current) scrollTo({ top: document.documentElement.scrollHeight })
  }, [view])
  return follow
}

function SessionHeader({
  id,
  loaded,
  view,
  stream,
  post,
}: {
  id: string
  loaded: Loaded
  view: SessionView
  stream: string
  post: (path: string, body: unknown) => void
}) {
  const s = loaded.summary
  const mode = view.mode ?? s.mode
  const model = view.model ?? s.model
  const models = loaded.models.includes(model) ? loaded.models : [model, ...loaded.models]
  return (
    <div class="session-head">
      <div class="head-line">
        <a href="#/" class="back" aria-label="All sessions">
          ←
        </a>
        <h1 title={view.title ?? s.title ?? id}>{sessionLabel(view.title ?? s.title, id)}</h1>
        <StateBadge activity={s.activity} />
        <StreamNote state={stream} />
      </div>
      <div class="head-meta">
        <span class="muted" title={s.cwd}>
          {s.cwd}
        </span>
        <span>{s.client}</span>
        <label>
          mode{' '}
          <select
            data-testid="mode-select"
            value={mode}
            onChange={(e) => post('/mode', { mode: e.currentTarget.value })}
          >
            {(loaded.modes.includes(mode) ? loaded.modes : [mode, ...loaded.modes]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          model{' '}
          <select
            data-testid="model-select"
            value={model}
            title={model}
            onChange={(e) => post('/model', { model: e.currentTarget.value })}
          >
            {models.map((m) => (
              <option key={m} value={m} title={m}>
                {shortModel(m)}
              </option>
            ))}
          </select>
        </label>
        <span title="prompt + completion tokens, all turns">
          {compactNumber(view.tokens.prompt)} + {compactNumber(view.tokens.completion)} tokens
        </span>
        {view.context && view.context.window > 0 && (
          <span class="muted" title="the last request's prompt against the context window">
            context {Math.round((view.context.tokens / view.context.window) * 100)}%
          </span>
        )}
        <span>{duration(s.busyMs)} busy</span>
        <a href={perfHref(id)}>performance</a>
      </div>
    </div>
  )
}

const TurnView = pure(function TurnView({ turn }: { turn: Turn }) {
  const done = turn.stopReason !== undefined
  return (
    <section
      class={`turn${done ? '' : ' running'}${turn.stopReason === 'cancelled' ? ' cancelled' : ''}`}
      data-testid="turn"
      data-turn-id={turn.id}
      data-stop-reason={turn.stopReason}
    >
      {turn.prompt && <Prompt text={turn.prompt} />}
      {turn.items.map((item) => (
        <ItemView key={`${item.kind}:${item.id}`} item={item} turn={turn} />
      ))}
      <div class="turn-foot">
        {done && turn.error ? (
          // The reason is in the turn's own message (⚠ …); the foot says the turn did not do its work.
          <span class="stop stop-failed" title={turn.error}>
            failed
          </span>
        ) : done ? (
          <span class={`stop stop-${turn.stopReason}`}>{turn.stopReason}</span>
        ) : (
          <span class="stop running">running…</span>
        )}
        {turn.durationMs !== undefined && <span>{duration(turn.durationMs)}</span>}
        <span title="prompt + completion tokens">
          {compactNumber(turn.tokens.prompt)} + {compactNumber(turn.tokens.completion)} tokens
        </span>
        {turn.requests > 0 && (
          <span>
            {turn.requests} request{turn.requests === 1 ? '' : 's'}
          </span>
        )}
      </div>
    </section>
  )
})

function ItemView({ item, turn }: { item: Item; turn: Turn }) {
  switch (item.kind) {
    case 'message':
      return <Message text={item.text} />
    case 'thought':
      return <Thought text={item.text} />
    case 'tool': {
      const card = turn.tools[item.id]
      return card ? <ToolCardView card={card} tools={turn.tools} /> : null
    }
    case 'plan':
      return <Plan entries={item.entries} />
    case 'notice':
      return <div class="notice">{item.text}</div>
  }
}

const Message = pure(function Message({ text }: { text: string }) {
  return (
    <div class="message assistant" data-testid="message" data-role="assistant">
      <ModelText text={text} />
    </div>
  )
})

const Thought = pure(function Thought({ text }: { text: string }) {
  return (
    <Disclosure
      class="thought"
      summary={
        <>
          thinking <span class="muted">· {text.split(/\s+/).filter(Boolean).length} words</span>
        </>
      }
    >
      {() => <div class="text">{text}</div>}
    </Disclosure>
  )
})

const Plan = pure(function Plan({ entries }: { entries: PlanEntry[] }) {
  const done = entries.filter((e) => e.status === 'completed').length
  return (
    <div class="plan">
      <div class="plan-head">
        Plan{' '}
        <span class="muted">
          {done}/{entries.length}
        </span>
      </div>
      <ul>
        {entries.map((e, i) => (
          <li key={i} class={`plan-${e.status} prio-${e.priority}`}>
            <span class="check" aria-hidden="true">
              {e.status === 'completed' ? '✓' : e.status === 'in_progress' ? '◐' : '○'}
            </span>
            {e.content}
          </li>
        ))}
      </ul>
    </div>
  )
})

function PromptBox({
  base,
  running,
  cancellable,
  onCancel,
}: {
  base: string
  running: boolean
  /** A turn may run that this page has not seen start yet (the summary said so first): Cancel is offered. */
  cancellable: boolean
  onCancel: () => void
}) {
  const { report } = useApp()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const disabled = running || sending
  const send = () => {
    if (disabled || !text.trim()) return
    setSending(true)
    postJson(`${base}/prompt`, { text })
      .then(() => setText(''))
      .catch(report)
      .finally(() => setSending(false))
  }
  return (
    <div class="prompt-box">
      <textarea
        data-testid="prompt-input"
        value={text}
        rows={2}
        placeholder={running ? 'A turn is running…' : 'Prompt (Enter sends, Shift+Enter for a new line)'}
        disabled={disabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            send()
          }
        }}
      />
      {(running || cancellable) && (
        <button type="button" class="danger" data-testid="cancel" onClick={onCancel}>
          Cancel
        </button>
      )}
      <button
        type="button"
        class="primary"
        data-testid="prompt-send"
        disabled={disabled || !text.trim()}
        onClick={send}
      >
        Send
      </button>
    </div>
  )
}

/** Past this, a prompt (a pasted log, a file) shows its start, and the rest on demand. */
const PROMPT_FOLD = 4000

const Prompt = pure(function Prompt({ text }: { text: string }) {
  const long = text.length > PROMPT_FOLD
  return (
    <div class="message user" data-testid="message" data-role="user">
      <div class="text">{long ? `${text.slice(0, PROMPT_FOLD)}…` : text}</div>
      {long && (
        <Disclosure class="more-prompt" summary={`all of it (${compactNumber(text.length)} characters)`}>
          {() => <div class="text">{text}</div>}
        </Disclosure>
      )}
    </div>
  )
})
