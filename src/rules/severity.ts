// How serious an issue is; shared by the rules file's schema and the issues it yields.
export const SEVERITIES = ['error', 'warning', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]
