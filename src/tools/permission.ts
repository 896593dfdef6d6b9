// The permission policy: what a session mode allows, asks about, or refuses. Pure.
import { changesWorkspace, type Tool } from './define.js'

export const PERMISSION_MODES = ['ask', 'accept-edits', 'read-only', 'yolo'] as const
export type PermissionMode = (typeof PERMISSION_MODES)[number]

export const MODE_DESCRIPTIONS: Record<PermissionMode, { name: string; description: string }> = {
  ask: { name: 'Ask', description: 'Edits, deletions and commands ask first' },
  'accept-edits': { name: 'Accept edits', description: 'Edits go ahead; commands ask first' },
  'read-only': { name: 'Read only', description: 'No writes and no commands at all' },
  yolo: { name: 'Yolo', description: 'Nothing asks' },
}

export function isPermissionMode(value: string): value is PermissionMode {
  return (PERMISSION_MODES as readonly string[]).includes(value)
}

/** Answers the user gave with "always": keyed by tool and scope. */
export interface Grants {
  allowed: ReadonlySet<string>
  rejected: ReadonlySet<string>
}

export type PermissionVerdict =
  | { action: 'allow' }
  | { action: 'ask'; key: string }
  | { action: 'deny'; reason: string }

export function grantKey(tool: Pick<Tool, 'name'>, scope: string): string {
  return `${tool.name}:${scope}`
}

export function decidePermission(
  mode: PermissionMode,
  tool: Pick<Tool, 'name' | 'kind' | 'permission'>,
  scope: string,
  grants: Grants,
): PermissionVerdict {
  const key = grantKey(tool, scope)
  if (mode === 'read-only' && changesWorkspace(tool)) {
    return { action: 'deny', reason: `the session is in read-only mode: ${tool.name} may not run` }
  }
  if (tool.permission === 'never' || mode === 'yolo') return { action: 'allow' }
  if (grants.rejected.has(key))
    return { action: 'deny', reason: `the user always rejects ${describeKey(key)}` }
  if (grants.allowed.has(key)) return { action: 'allow' }
  if (mode === 'accept-edits' && tool.kind !== 'execute') return { action: 'allow' }
  return { action: 'ask', key }
}

/** The scope of a command for "allow always": its program and, for tools like git or npm, its subcommand. */
export function commandPrefix(commandLine: string): string {
  const words = commandLine.trim().split(/\s+/).filter(Boolean)
  const first = words[0] ?? ''
  const second = words[1]
  const withSubcommand = [
    'git',
    'npm',
    'npx',
    'pnpm',
    'yarn',
    'uv',
    'pip',
    'python',
    'python3',
    'cargo',
    'go',
    'make',
  ]
  if (second && withSubcommand.includes(first) && !second.startsWith('-')) return `${first} ${second}`
  return first
}

function describeKey(key: string): string {
  const [tool, ...scope] = key.split(':')
  return `${tool} on ${scope.join(':')}`
}
