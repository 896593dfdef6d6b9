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
