// A dataset format: how one canonical example is written as one line of that format, and read back. Each
// format is one module in this folder, listed once in index.ts; every command (convert, export, validate)
// finds formats there by name.
import type { Example } from '../example.js'
import type { FormatKeeps } from './shared.js'

export interface DatasetFormat {
  /** The name on the command line: `--format hermes`. */
  name: string
  /** One line for help texts. */
  description: string
  /** What survives a trip through this format (the rest is normalised away: see `roundTripForm`). */
  keeps: FormatKeeps
  /** One line (a JSON value) of this format for the example. Throws only for an example it cannot express. */
  fromExample(example: Example): unknown
  /** The canonical example a line of this format holds; throws an Error saying what is wrong with the line. */
  toExample(line: unknown): Example
}
