// Values crossing between JavaScript and the Python sandbox: Python dicts arrive as Maps and must leave as Maps.

/** JavaScript objects become Maps (Python dicts), recursively; undefined becomes None. */
export function toPython(value: unknown): unknown {
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(toPython)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, toPython(v)]))
  if (value && typeof value === 'object') {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPython(v)]))
  }
  return value
}

/** Maps become plain objects, recursively, so results serialize as JSON. */
export function fromPython(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromPython)
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value].map(([k, v]) => [typeof k === 'string' ? k : String(k), fromPython(v)]),
    )
  }
  if (typeof value === 'bigint') return Number(value)
  return value
}
