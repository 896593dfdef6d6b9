// Work done while the agent is idle so that a first request finds it done: each step runs on its own turn of
// the event loop, after whatever arrived meanwhile, and a failed step only costs the first request its time.
import type { Logger } from '../log/logger.js'

export interface WarmUpStep {
  name: string
  run(): unknown
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export async function warmUp(steps: readonly WarmUpStep[], logger: Logger): Promise<void> {
  for (const step of steps) {
    await nextTurn()
    const started = performance.now()
    try {
      await step.run()
      logger.debug('warm-up: %s in %d ms', step.name, Math.round(performance.now() - started))
    } catch (error) {
      logger.debug('warm-up: %s failed: %s', step.name, error)
    }
  }
}
