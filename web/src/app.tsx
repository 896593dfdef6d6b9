// The page's frame: navigation, the error bar, the sign-in note, and the view the hash names.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { HttpError, postJson } from './api.js'
import { App } from './context.js'
import { parseRoute, type Route } from './router.js'
import { OverviewView } from './views/overview.js'
import { PerfView } from './views/perf.js'
import { ReviewView } from './views/review.js'
import { SessionPage } from './views/session.js'

interface ShownError {
  id: number
  message: string
}

const MAX_ERRORS = 5

export function Shell() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash))
  const [errors, setErrors] = useState<ShownError[]>([])
  const [signedOut, setSignedOut] = useState(false)
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash))
    addEventListener('hashchange', onHash)
    // The hash may have changed between the first render and this effect, with nobody listening yet.
    onHash()
    return () => removeEventListener('hashchange', onHash)
  }, [])
  const report = useCallback((error: unknown) => {
    if (error instanceof HttpError && error.status === 401) {
      setSignedOut(true)
      return
    }
    const message = error instanceof Error ? error.message : String(error)
    setErrors((list) =>
      list.some((e) => e.message === message)
        ? list
        : [...list, { id: Date.now() + Math.random(), message }].slice(-MAX_ERRORS),
    )
  }, [])
  const context = useMemo(() => ({ report }), [report])

  if (signedOut) return <SignedOut />
  return (
    <App.Provider value={context}>
      <header class="top">
        <a class="brand" href="#/">
          Punie
        </a>
        <nav>
          <a href="#/" class={route.view === 'overview' ? 'on' : ''}>
            Sessions
          </a>
          <a href="#/perf" class={route.view === 'perf' ? 'on' : ''}>
            Performance
          </a>
          <a href="#/review" class={route.view === 'review' ? 'on' : ''}>
            Review
          </a>
        </nav>
        <button
          type="button"
          class="sign-out"
          data-testid="sign-out"
          onClick={() =>
            postJson('/api/sign-out', {})
              .then(() => setSignedOut(true))
              .catch(report)
          }
        >
          Sign out
        </button>
      </header>
      {errors.length > 0 && (
        <div class="errors" data-testid="error" role="alert">
          {errors.map((e) => (
            <div class="error" key={e.id}>
              <span>{e.message}</span>
              <button
                type="button"
                class="dismiss"
                aria-label="Dismiss"
                onClick={() => setErrors((list) => list.filter((x) => x.id !== e.id))}
              >
                ×
              </button>
            </div>
          ))}
        </div>
      )}
      <main>{view(route)}</main>
    </App.Provider>
  )
}

function view(route: Route) {
  switch (route.view) {
    case 'overview':
      return <OverviewView />
    case 'session':
      return <SessionPage key={route.id} id={route.id} />
    case 'perf':
      return <PerfView key={route.session ?? ''} session={route.session} />
    case 'review':
      return <ReviewView />
    default:
      return (
        <p class="empty">
          Nothing at {route.hash}. <a href="#/">Back to the sessions</a>
        </p>
      )
  }
}

function SignedOut() {
  return (
    <main class="signed-out" data-testid="signed-out">
      <h1>Sign-in needed</h1>
      <p>The sign-in link has expired or is missing, so this page cannot reach the server.</p>
      <p>
        Run <code>punie dashboard</code> in a terminal for a new one-time link.
      </p>
    </main>
  )
}
