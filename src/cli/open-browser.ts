// Opens a link in the user's browser: $BROWSER when set, else the platform's opener. The link is one the
// server made, passed as one argument, never through a shell.
import { spawn } from 'node:child_process'

function opener(url: string, env: NodeJS.ProcessEnv): [string, string[]] {
  if (env.BROWSER) return [env.BROWSER, [url]]
  if (process.platform === 'darwin') return ['open', [url]]
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]]
  return ['xdg-open', [url]]
}

/** Whether an opener started; false (with why) when there is none, as on a machine without a desktop. */
export function openBrowser(url: string, env = process.env): Promise<{ opened: boolean; why?: string }> {
  const [command, args] = opener(url, env)
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.once('error', (error) => resolve({ opened: false, why: `${command}: ${error.message}` }))
    child.once('spawn', () => {
      child.unref()
      resolve({ opened: true })
    })
  })
}
