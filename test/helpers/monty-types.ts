// Type-checks a snippet against the Code Mode stubs with Monty's checker: '' when clean, else its diagnostics.
import { Monty, MontyTypingError } from '@pydantic/monty'

export function typeErrors(code: string, prefix: string): string {
  try {
    new Monty(code, { typeCheck: true, typeCheckPrefixCode: prefix, scriptName: 'snippet.py' })
    return ''
  } catch (error) {
    if (error instanceof MontyTypingError) return error.displayDiagnostics('concise')
    throw error
  }
}
