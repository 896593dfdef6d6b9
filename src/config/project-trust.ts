// What a project's .punie/config.json may choose on its own. A cloned repository must not send your code to
// another host, pick a provider (and with it your key), loosen permissions or start programs: those settings
// count only for projects the user trusts (`trustedProjects` in ~/.punie/config.json, `punie trust`). Pure.

import { parseModelSpec } from '../model/spec.js'
import type { PunieConfig } from './config-file.js'
import type { Env } from './home.js'

/**
 * How each setting is treated when an untrusted project sets it. A record over every key, so that a new
 * setting cannot be added without deciding this.
 */
const PROJECT_RULES: Record<keyof PunieConfig, 'free' | 'local model' | 'trusted' | 'user only'> = {
  model: 'local model',
  models: 'local model',
  mode: 'trusted',
  // Settings that pick a program to start, or the limits of the Code Mode sandbox.
  typechecker: 'trusted',
  languageServers: 'trusted',
  codeMode: 'trusted',
  trustedProjects: 'user only',
  toolMode: 'free',
  toolFormat: 'free',
  temperature: 'free',
  seed: 'free',
  maxTokens: 'free',
  maxTurnRequests: 'free',
  maxInvalidToolRetries: 'free',
  contextWindow: 'free',
  reservedOutputTokens: 'free',
  stream: 'free',
  requestTimeoutMs: 'free',
  firstChunkTimeoutMs: 'free',
  streamIdleTimeoutMs: 'free',
  grepTimeoutMs: 'free',
  maxToolResultBytes: 'free',
  clientRequestTimeoutMs: 'free',
  checkerIdleTimeoutMs: 'free',
}

export interface IgnoredSetting {
  key: string
  value: unknown
  why: string
}

/** A model spec that only ever talks to this machine: `local`, a local server preset, a loopback URL. */
export function isLocalModelSpec(spec: string, env: Env): boolean {
  try {
    const parsed = parseModelSpec(spec, env)
    return parsed.kind === 'auto' || (parsed.local && !parsed.apiKeyEnv)
  } catch {
    // An unparsable spec fails where it is used, with its own message; it reaches no host.
    return true
  }
}

/** The part of a project's config that counts, and what was left out and why. */
export function screenProjectConfig(
  project: PunieConfig,
  trusted: boolean,
  env: Env,
): { config: PunieConfig; ignored: IgnoredSetting[] } {
  const config: Record<string, unknown> = {}
  const ignored: IgnoredSetting[] = []
  for (const [key, value] of Object.entries(project) as [keyof PunieConfig, unknown][]) {
    if (value === undefined) continue
    const rule = PROJECT_RULES[key]
    if (rule === 'user only') {
      ignored.push({ key, value, why: 'it is read from your own config only' })
    } else if (rule === 'free' || trusted) {
      config[key] = value
    } else if (rule === 'trusted') {
      ignored.push({ key, value, why: 'the project is not trusted' })
    } else if (key === 'model') {
      if (isLocalModelSpec(value as string, env)) config[key] = value
      else ignored.push({ key, value, why: 'it is not on this machine and the project is not trusted' })
    } else {
      const models = value as string[]
      const local = models.filter((m) => isLocalModelSpec(m, env))
      if (local.length) config[key] = local
      const remote = models.filter((m) => !local.includes(m))
      if (remote.length)
        ignored.push({
          key,
          value: remote,
          why: 'they are not on this machine and the project is not trusted',
        })
    }
  }
  return { config: config as PunieConfig, ignored }
}

/** One line for the log and the session: which settings of which file were ignored, and the way out. */
export function describeIgnored(
  file: string,
  projectDir: string,
  ignored: readonly IgnoredSetting[],
): string {
  const settings = ignored.map((i) => `${i.key} ${JSON.stringify(i.value)} (${i.why})`).join('; ')
  return `Ignored in ${file}: ${settings}. If you trust this project, run \`punie trust ${projectDir}\` and start a new session.`
}
