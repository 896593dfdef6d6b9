// Which model spec applies: --model > PUNIE_MODEL > user config > project config > local. Pure.
export type ModelSpecOrigin = 'flag' | 'env' | 'user config' | 'project config' | 'default'

export interface ModelChoiceInputs {
  flag?: string
  env?: string
  userConfig?: string
  projectConfig?: string
}

export function chooseModelSpec(inputs: ModelChoiceInputs): { spec: string; origin: ModelSpecOrigin } {
  const ordered: [ModelSpecOrigin, string | undefined][] = [
    ['flag', inputs.flag],
    ['env', inputs.env],
    ['user config', inputs.userConfig],
    ['project config', inputs.projectConfig],
  ]
  for (const [origin, value] of ordered) {
    if (value?.trim()) return { spec: value.trim(), origin }
  }
  return { spec: 'local', origin: 'default' }
}

/**
 * Every model a session's picker offers: the current one, the models the session has had (so a switch can be
 * undone), the one new sessions start with, `local`, and the user's `models` list; each once, in that order.
 */
export function modelChoices(current: string, ...lists: (readonly string[])[]): string[] {
  return [...new Set([current, ...lists.flat()].map((s) => s.trim()).filter(Boolean))]
}

/** Whether a model spec is one the user said accepts images (`imageModels` in config.json; `*` for all). */
export function acceptsImages(spec: string, imageModels: readonly string[] | undefined): boolean {
  return (imageModels ?? []).some((entry) => entry === '*' || entry.trim() === spec.trim())
}
