// A session's state as a small coloured label.
import type { SessionActivity } from '../../../src/server/dashboard/api.js'

export function StateBadge({ activity }: { activity: SessionActivity }) {
  const label =
    activity.state === 'tool'
      ? `running ${activity.tool ?? 'a tool'}`
      : activity.state === 'permission'
        ? `waiting: ${activity.permission?.title ?? 'permission'}`
        : activity.state
  return (
    <span class={`badge state-${activity.state}`} title={label}>
      {label}
    </span>
  )
}
