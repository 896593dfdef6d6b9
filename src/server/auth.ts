// Who may talk to the server: the bearer token, loopback binding, and the Origin of browser requests.
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1' || host === '::ffff:127.0.0.1'
}

/**
 * The token a request presents: `Authorization: Bearer …`, or, on a WebSocket upgrade only, `access_token` in
 * the query (browsers cannot set headers on a WebSocket). REST routes never take it from the URL, where it
 * would end up in logs, history and Referer headers.
 */
export function presentedToken(
  authorization: string | undefined,
  url: URL,
  request: 'http' | 'websocket',
): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (match?.[1]) return match[1]
  return request === 'websocket' ? (url.searchParams.get('access_token') ?? undefined) : undefined
}

export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false
  // Compare digests so neither the length nor the content leaks through timing.
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(presented), digest(expected))
}

/**
 * Browsers send Origin; a page from another site must not drive the agent with the user's loopback access.
 * Requests without Origin come from programs (CLI, IDE bridge) and are judged by the token alone.
 */
export function originAllowed(origin: string | undefined, port: number, extra: readonly string[]): boolean {
  if (!origin) return true
  if (extra.includes(origin)) return true
  try {
    const url = new URL(origin)
    const originPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    return isLoopback(url.hostname.replace(/^\[|\]$/g, '')) && originPort === port
  } catch {
    return false
  }
}

/**
 * A server bound to loopback answers only requests addressed to a loopback name. A page on another site whose
 * name was made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused.
 */
export function hostAllowed(host: string | undefined, boundTo: string): boolean {
  if (!isLoopback(boundTo)) return true
  if (!host) return false
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')
  return isLoopback(name)
}
