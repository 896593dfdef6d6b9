// Checks a tool call's arguments against the tool's JSON schema with Ajv. Compiled validators are cached by
// schema text: a dataset offers the same few tool lists on every line, so each schema compiles once.
import { Ajv, type ValidateFunction } from 'ajv'

const CACHE_LIMIT = 500
const ERRORS_SHOWN = 3

export class ArgumentChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  private readonly cache = new Map<string, ValidateFunction | string>()

  /** The problems with `args` under `schema` (none when it passes); a schema Ajv cannot compile is one problem. */
  check(schema: Record<string, unknown>, args: unknown): string[] {
    const validate = this.compiled(schema)
    if (typeof validate === 'string') return [`the tool's schema does not compile: ${validate}`]
    if (validate(args)) return []
    const errors = validate.errors ?? []
    const shown = errors.slice(0, ERRORS_SHOWN).map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'arguments'
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : ''
      return `${where} ${e.message ?? 'is invalid'}${extra}`
    })
    if (errors.length > ERRORS_SHOWN) shown.push(`${errors.length - ERRORS_SHOWN} more`)
    return [shown.join('; ')]
  }

  private compiled(schema: Record<string, unknown>): ValidateFunction | string {
    const { $schema: _ignored, ...rest } = schema
    const key = JSON.stringify(rest)
    let entry = this.cache.get(key)
    if (entry === undefined) {
      try {
        entry = this.ajv.compile(rest)
      } catch (error) {
        entry = (error as Error).message
      }
      if (this.cache.size >= CACHE_LIMIT) {
        this.cache.clear()
        this.ajv.removeSchema()
      }
      this.cache.set(key, entry)
    }
    return entry
  }
}
