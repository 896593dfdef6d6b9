// A component that re-renders only when a prop changed identity: the session view's turns and cards rely on
// the reducer's structural sharing for this.
import { Component, type ComponentChild, type FunctionComponent } from 'preact'

export function pure<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  class Pure extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const a = this.props as Record<string, unknown>
      const b = next as Record<string, unknown>
      for (const key in b) if (a[key] !== b[key]) return true
      for (const key in a) if (!(key in b)) return true
      return false
    }
    override render(props: P): ComponentChild {
      return render(props)
    }
  }
  return Pure as unknown as FunctionComponent<P>
}
