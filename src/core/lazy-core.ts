// The session core made on first use, for surfaces that must answer before it exists (ACP `initialize`). The core's
// module itself is imported only then, keeping it off the start-up path.
import type { ClosableCore, CoreOptions } from './core.js'

export interface LazyCore {
  /** The core, made on the first call; a failed start is logged and tried again on the next call. */
  load(): Promise<ClosableCore>
  /** Makes the core, then warms it up; for idle time (after `initialize` is answered). */
  warmUp(): void
  /** Closes the core if it was made. */
  close(): Promise<void>
}

export function lazyCore(options: CoreOptions): LazyCore {
  let core: Promise<ClosableCore> | undefined
  const load = () => {
    core ??= import('./core.js').then((m) => m.createAgentCore(options))
    core.catch((error: unknown) => {
      options.logger.error('could not start the session core: %s', error)
      core = undefined
    })
    return core
  }
  return {
    load,
    warmUp: () => {
      load()
        .then((made) => made.warmUp())
        .catch(() => undefined)
    },
    close: async () => {
      if (core) await (await core.catch(() => undefined))?.close()
    },
  }
}
