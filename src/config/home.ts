// Where Punie keeps its state: PUNIE_HOME, or ~/.punie.
import { homedir } from 'node:os'
import { join } from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

export function punieHome(env: Env = process.env): string {
  return env.PUNIE_HOME || join(homedir(), '.punie')
}

export const homePaths = (home: string) => ({
  config: join(home, 'config.json'),
  database: join(home, 'punie.db'),
  logs: join(home, 'logs'),
  server: join(home, 'server.json'),
  clientSessions: join(home, 'client-sessions.json'),
  skills: join(home, 'skills'),
})
