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
  /** `allowKey` is what "allow always" remembers (null: nothing, it counts once); `rejectKey` for "reject always". */
  | { action: 'ask'; allowKey: string | null; rejectKey: string }
  | { action: 'deny'; reason: string }

/** What one call's permission is about, beside the tool: what "always" answers remember and match. */
export interface CallScope {
  /** Remembered by "allow always" and matched against earlier grants; null where no grant may cover the call. */
  allow: string | null
  /** Remembered by "reject always". */
  reject: string
  /** Every scope a remembered rejection of which refuses this call (each program of a compound command). */
  rejectedBy: readonly string[]
}

/** The scope of a call on one path or value: "always" covers exactly it. */
export function exactScope(scope: string): CallScope {
  return { allow: scope, reject: scope, rejectedBy: [scope] }
}

export interface PermissionCall {
  scope: CallScope
  /** Paths the call writes that change how tools behave (see sensitive-paths.ts): these always ask. */
  sensitive: readonly string[]
}

export function grantKey(tool: Pick<Tool, 'name'>, scope: string): string {
  return `${tool.name}:${scope}`
}

/**
 * A sensitive write asks in every mode but yolo, whatever earlier grants say, and read-only refuses it;
 * yolo keeps its promise that nothing asks.
 */
export function decidePermission(
  mode: PermissionMode,
  tool: Pick<Tool, 'name' | 'kind' | 'permission'>,
  call: PermissionCall,
  grants: Grants,
): PermissionVerdict {
  const { scope, sensitive } = call
  if (mode === 'read-only' && changesWorkspace(tool)) {
    return { action: 'deny', reason: `the session is in read-only mode: ${tool.name} may not run` }
  }
  if (mode === 'read-only' && sensitive.length > 0) {
    return {
      action: 'deny',
      reason: `the session is in read-only mode: ${tool.name} may not write ${sensitive.join(', ')}`,
    }
  }
  if (mode === 'yolo') return { action: 'allow' }
  const rejected = scope.rejectedBy.map((s) => grantKey(tool, s)).find((key) => grants.rejected.has(key))
  if (rejected) return { action: 'deny', reason: `the user always rejects ${describeKey(rejected)}` }
  const rejectKey = grantKey(tool, scope.reject)
  if (sensitive.length > 0) return { action: 'ask', allowKey: null, rejectKey }
  if (tool.permission === 'never') return { action: 'allow' }
  const allowKey = scope.allow === null ? null : grantKey(tool, scope.allow)
  if (allowKey !== null && grants.allowed.has(allowKey)) return { action: 'allow' }
  if (mode === 'accept-edits' && tool.kind !== 'execute') return { action: 'allow' }
  return { action: 'ask', allowKey, rejectKey }
}

function describeKey(key: string): string {
  const [tool, ...rest] = key.split(':')
  const scope = rest.join(':')
  // Exact command lines are kept as `= LINE` (see command-scope.ts).
  return scope.startsWith('= ')
    ? `${tool} on the line ${JSON.stringify(scope.slice(2))}`
    : `${tool} on ${scope}`
}

/** The answer to one permission request. */
export type PermissionOutcome = 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always' | 'cancelled'
