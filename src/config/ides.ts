// The IDEs `punie init` can register Punie with (kept apart from the settings editor, which loads a parser).
export const IDES = ['jetbrains', 'zed'] as const
export type Ide = (typeof IDES)[number]
