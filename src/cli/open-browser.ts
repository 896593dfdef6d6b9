// Opens a link in the user's browser: $BROWSER when set, else the platform's opener. The link is one the
// server made, passed as one argument, never through a shell.
import { spawn } from 'node:child_process'

/** Openers hand the link to a browser and exit at once; one still running after this has started a browser. */
const SETTLE_MS = 2000

function opener(url: string, env: NodeJS.ProcessEnv): [string, string[]] {
  if (env.BROWSER) return [env.BROWSER, [url]]
  if (process.platform === 'darwin') return ['open', [url]]
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]]
  return ['xdg-open', [url]]
}

/**
 * Whether a browser was opened; false, with why, when there is no opener or it failed (xdg-open without a
 * desktop exits 3).
 */
export function openBrowser(url: string, env = process.env): Promise<{ opened: boolean; why?: string }> {
  const [command, args] = opener(url, env)
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    const settled = setTimeout(() => {
      child.unref()
      resolve({ opened: true })
    }, SETTLE_MS)
    child.once('error', (error) => {
      clearTimeout(settled)
      resolve({ opened: false, why: `${command}: ${error.message}` })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(settled)
      resolve(
        code === 0 ? { opened: true } : { opened: false, why: `${command} exited with ${code ?? signal}` },
      )
    })
  })
}
