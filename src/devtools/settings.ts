// How developer tools are chosen: which type checker, which language server per language. From the config file.
import { DEFAULT_MAX_TOOL_RESULT_BYTES } from '../tools/limits.js'

export const TYPECHECKERS = ['auto', 'pyright', 'basedpyright', 'mypy', 'ty'] as const
export type Typechecker = (typeof TYPECHECKERS)[number]

export interface DevtoolSettings {
  /** `auto`: the one the project configures in pyproject.toml, when it is installed; pyright otherwise. */
  typechecker: Typechecker
  /** Language → command line of its language server, e.g. { "python": ["pylsp"] }. */
  languageServers: Readonly<Record<string, readonly string[]>>
  /** Time grep's regular expression may spend matching in one call before it is stopped. */
  grepTimeoutMs: number
  /** What one tool result may add to a model request; read_file reads at most this much at once. */
  maxToolResultBytes: number
  /** How long a project's language servers stay warm after its last session closes (0: stop at once). */
  idleTimeoutMs: number
  /**
   * Whether the user trusts the project at `dir` (`punie trust`): only then may the project's own files start
   * programs (its command rules). Asked each time, so that a trust given meanwhile counts.
   */
  projectTrusted(dir: string): boolean
}

export const DEFAULT_DEVTOOL_SETTINGS: DevtoolSettings = {
  typechecker: 'auto',
  languageServers: {},
  grepTimeoutMs: 10_000,
  maxToolResultBytes: DEFAULT_MAX_TOOL_RESULT_BYTES,
  idleTimeoutMs: 10 * 60_000,
  projectTrusted: () => false,
}
