// How many eval cases to run at once when -j is not given: as many as the server serves at once, from what it
// was started with (a managed server's flags) or what it reports (llama.cpp `/props`), capped; 1 when unknown.
import type { Env } from '../config/home.js'
import { probeContextWindow } from './context-probe.js'
import { resolveModel } from './resolve.js'
import { parseModelSpec } from './spec.js'

/** More at once than this rarely helps one local machine and makes every case's latency figure meaningless. */
export const AUTO_JOBS_CAP = 8

export interface Concurrency {
  jobs: number
  /** One line for the user: where the number came from. */
  why: string
}

export interface ConcurrencyInput {
  /** -j, which always wins. */
  given?: number | undefined
  /** From the managed server's own flags: `punie server start --parallel`, or a flag after --. */
  configured?: { slots: number; server: string } | undefined
  /** What the server says about itself. */
  reported?: { slots: number; source: string } | undefined
  cap?: number
}

export function chooseConcurrency(input: ConcurrencyInput): Concurrency {
  const cap = input.cap ?? AUTO_JOBS_CAP
  if (input.given !== undefined) return { jobs: input.given, why: '-j' }
  const found = input.configured
    ? {
        slots: input.configured.slots,
        from: `server ${input.configured.server} was started with ${input.configured.slots} slots`,
      }
    : input.reported
      ? {
          slots: input.reported.slots,
          from: `${input.reported.source} reports ${input.reported.slots} slots`,
        }
      : undefined
  if (!found)
    return { jobs: 1, why: 'the server does not say how many requests it serves at once; -j N to change' }
  const jobs = Math.min(found.slots, cap)
  return { jobs, why: `${found.from}${jobs < found.slots ? `, capped at ${cap}` : ''}; -j N to change` }
}

/** The server's own count of slots, through the same probe that finds its context window; undefined when it has none. */
export async function reportedSlots(
  spec: string,
  env: Env,
  timeoutMs = 1500,
): Promise<{ slots: number; source: string } | undefined> {
  try {
    const resolved = await resolveModel(parseModelSpec(spec, env), { env, probeTimeoutMs: timeoutMs })
    if (resolved.apiKey !== 'punie-local') return undefined
    const probed = await probeContextWindow(resolved, timeoutMs)
    return probed.slots ? { slots: probed.slots, source: 'llama.cpp /props' } : undefined
  } catch {
    return undefined
  }
}
