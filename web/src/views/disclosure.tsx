// A <details> whose body is built only once opened: long sessions carry many collapsed outputs and inputs.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'

export function Disclosure({
  summary,
  open: initially = false,
  class: className,
  children,
}: {
  summary: ComponentChildren
  open?: boolean
  class?: string
  children: () => ComponentChildren
}) {
  const [open, setOpen] = useState(initially)
  return (
    <details class={className} open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open && children()}
    </details>
  )
}
