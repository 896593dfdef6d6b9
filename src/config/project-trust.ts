// What a project's .punie/config.json may choose on its own. A cloned repository must not send your code to
// another host, pick a provider (and with it your key), loosen permissions or start programs: those settings
// count only for projects the user trusts (`trustedProjects` in ~/.punie/config.json, `punie trust`). Pure.

import { parseModelSpec } from '../model/spec.js'
import type { PunieConfig } from './config-file.js'
import type { Env } from './home.js'

/**
 * How each setting is treated when a project's file sets it. A record over every key, so that a new setting cannot
 * be added without deciding this. Punie reads only the model and the mode from a project's file; every other key is
 * reported as not read there (set it in your own config), so that nobody is told to trust a project for nothing.
 */
const PROJECT_RULES: Record<keyof PunieConfig, 'local model' | 'trusted' | 'not read' | 'user only'> = {
  model: 'local model',
  mode: 'trusted',
  trustedProjects: 'user only',
  // Starting a server runs a program: only a trusted project's servers start (see mcp/config.ts).
  mcpServers: 'trusted',
  mcpTrust: 'user only',
  mcpTimeoutMs: 'not read',
  flywheel: 'user only',
  models: 'not read',
  imageModels: 'not read',
  typechecker: 'not read',
  languageServers: 'not read',
  codeMode: 'not read',
  toolMode: 'not read',
  toolFormat: 'not read',
  temperature: 'not read',
  seed: 'not read',
  topP: 'not read',
  maxTokens: 'not read',
  maxTurnRequests: 'not read',
  maxInvalidToolRetries: 'not read',
  contextWindow: 'not read',
  reservedOutputTokens: 'not read',
  stream: 'not read',
  requestTimeoutMs: 'not read',
  firstChunkTimeoutMs: 'not read',
  streamIdleTimeoutMs: 'not read',
  grepTimeoutMs: 'not read',
  maxToolResultBytes: 'not read',
  clientRequestTimeoutMs: 'not read',
  checkerIdleTimeoutMs: 'not read',
}

export interface IgnoredSetting {
  key: string
  value: unknown
  why: string
  /** Whether trusting the project would let it through. */
  needsTrust?: boolean
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
    } else if (rule === 'not read') {
      ignored.push({
        key,
        value,
        why: 'not read from a project file: set it in your own config',
        needsTrust: false,
      })
    } else if (trusted) {
      config[key] = value
    } else if (rule === 'trusted') {
      ignored.push({ key, value, why: 'the project is not trusted', needsTrust: true })
    } else if (isLocalModelSpec(value as string, env)) {
      config[key] = value
    } else {
      ignored.push({
        key,
        value,
        why: 'it is not on this machine and the project is not trusted',
        needsTrust: true,
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
  const settings = ignored.map((i) => `${i.key} ${shown(i.value)} (${i.why})`).join('; ')
  const way = ignored.some((i) => i.needsTrust)
    ? ` If you trust this project, run \`punie trust ${projectDir}\` and start a new session.`
    : ''
  return `Ignored in ${file}: ${settings}.${way}`
}

/** A setting's value as the notice shows it: its JSON, cut short (a project file may hold anything). */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 80 ? `${json.slice(0, 80)}… (${json.length} characters)` : json
}
