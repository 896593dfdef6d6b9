// Hash routes: the server serves only / and /assets/*, so every view lives after the #.
export type Route =
  | { view: 'overview' }
  | { view: 'session'; id: string }
  | { view: 'perf'; session?: string }
  | { view: 'review' }
  | { view: 'missing'; hash: string }

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/'
  const [base = '/', query = ''] = path.split('?')
  const parts = base.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0) return { view: 'overview' }
  if (parts[0] === 'session' && parts[1]) return { view: 'session', id: parts[1] }
  if (parts[0] === 'perf') {
    const session = new URLSearchParams(query).get('session')
    return session ? { view: 'perf', session } : { view: 'perf' }
  }
  if (parts[0] === 'review') return { view: 'review' }
  return { view: 'missing', hash }
}

export const sessionHref = (id: string) => `#/session/${encodeURIComponent(id)}`
export const perfHref = (session?: string) =>
  session ? `#/perf?session=${encodeURIComponent(session)}` : '#/perf'
