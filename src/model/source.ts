// Resolves model specs to ready ChatModels, caching successes so auto-detection runs once per spec.
import type { Env } from '../config/home.js'
import type { Logger } from '../log/logger.js'
import { createModelContext } from './context-probe.js'
import { createOpenAICompatibleModel } from './openai-compatible.js'
import { resolveModel } from './resolve.js'
import { parseModelSpec } from './spec.js'
import type { StreamTimeouts } from './stream-watch.js'
import type { ChatModel, ModelSource } from './types.js'

export interface ModelSourceOptions extends StreamTimeouts {
  env: Env
  logger: Logger
  stream: boolean
  probeTimeoutMs?: number
}

export function createModelSource(options: ModelSourceOptions): ModelSource {
  const cache = new Map<string, Promise<ChatModel>>()
  const load = async (spec: string): Promise<ChatModel> => {
    const resolved = await resolveModel(parseModelSpec(spec, options.env), {
      env: options.env,
      ...(options.probeTimeoutMs ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
    })
    options.logger.info('model %s resolved to %s at %s', spec, resolved.model, resolved.baseURL)
    const context = createModelContext(resolved)
    // Probed now, in parallel with whatever runs before the first request; the turn waits only for what is left.
    void context.window().then((w) => {
      if (w.contextWindow) options.logger.info('context window %d (%s)', w.contextWindow, w.source)
    })
    return { ...createOpenAICompatibleModel(resolved, options), context }
  }
  return {
    get(spec) {
      let model = cache.get(spec)
      if (!model) {
        model = load(spec)
        cache.set(spec, model)
        model.catch(() => cache.delete(spec))
      }
      return model
    },
    invalidate(spec) {
      cache.delete(spec)
    },
  }
}
