// Values quoted in error messages: a request may carry megabytes where a name was expected, and an error that
// echoes it whole floods the client, the log and the model.

const MAX_QUOTED_CHARS = 200

/** The value as a JSON string, cut after 200 characters with a note of its length. */
export function quote(value: string, max = MAX_QUOTED_CHARS): string {
  if (value.length <= max) return JSON.stringify(value)
  return `${JSON.stringify(`${value.slice(0, max)}…`)} (${value.length} characters)`
}

/** A whole message cut to `max` characters, for errors built elsewhere (the last line of defence). */
export function capMessage(message: string, max = 2000): string {
  return message.length <= max
    ? message
    : `${message.slice(0, max)}… (${message.length - max} more characters)`
}
