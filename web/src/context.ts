// What every view may reach: the error bar and the sign-in state.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'

export interface AppContext {
  /** Shows an error in the error bar (a 401 turns the page into the sign-in note). */
  report(error: unknown): void
}

export const App = createContext<AppContext>({ report: () => {} })
export const useApp = () => useContext(App)
