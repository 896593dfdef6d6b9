// Whether `initialize` tells the client that prompts may carry images: the model new sessions start with is one
// the user listed in `imageModels`. Read without the config schema: initialize is answered before it loads.
import { readFileSync } from 'node:fs'
import { acceptsImages, chooseModelSpec } from '../model/choose.js'
import { type Env, homePaths } from './home.js'

export function imagePromptsAdvertised(home: string, env: Env, flagModel?: string): boolean {
  let file: { model?: unknown; imageModels?: unknown }
  try {
    file = JSON.parse(readFileSync(homePaths(home).config, 'utf8')) ?? {}
  } catch {
    // No file, or one the core will report when it loads: no images promised.
    return false
  }
  const list = Array.isArray(file.imageModels)
    ? file.imageModels.filter((m): m is string => typeof m === 'string')
    : []
  if (!list.length) return false
  const { spec } = chooseModelSpec({
    flag: flagModel,
    env: env.PUNIE_MODEL,
    userConfig: typeof file.model === 'string' ? file.model : undefined,
  })
  return acceptsImages(spec, list)
}
