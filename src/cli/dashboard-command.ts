// `punie dashboard`: a one-time sign-in link to the running server's dashboard, opened in the browser.
import { homePaths, punieHome } from '../config/home.js'
import { runningServer } from '../server/server-file.js'
import { openBrowser } from './open-browser.js'

export interface DashboardOptions {
  open: boolean
}

export class DashboardCommandError extends Error {
  override name = 'DashboardCommandError'
}

/** Asks the server in $PUNIE_HOME/server.json for a sign-in link, with the token kept there. */
export async function signInLink(env = process.env): Promise<string> {
  const paths = homePaths(punieHome(env))
  const server = runningServer(paths.server)
  if (!server)
    throw new DashboardCommandError('no Punie server is running: start one with `punie serve --open`')
  let response: Response
  try {
    response = await fetch(`${server.url}/api/sign-in-link`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    throw new DashboardCommandError(`the server at ${server.url} did not answer: ${(error as Error).message}`)
  }
  const body = (await response.json().catch(() => ({}))) as { url?: string; error?: string }
  if (!response.ok || !body.url)
    throw new DashboardCommandError(`the server refused a sign-in link: ${body.error ?? response.status}`)
  return body.url
}

export async function runDashboard(options: DashboardOptions): Promise<void> {
  const link = await signInLink()
  await showLink(link, options.open)
}

/**
 * Opens the link, and prints it too: for a browser on another machine (over SSH), or when no browser opened. It
 * works once, within a minute.
 */
export async function showLink(link: string, open: boolean): Promise<void> {
  const opened = open ? await openBrowser(link) : { opened: false }
  process.stdout.write(
    `${opened.opened ? 'Opened the dashboard in your browser. ' : ''}` +
      `Sign-in link (it works once, within a minute):\n  ${link}\n` +
      (opened.why ? `  (no browser opened: ${opened.why})\n` : ''),
  )
}
