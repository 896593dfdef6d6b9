// Model failures as values with a message a user can act on.
export type ModelErrorKind = 'unreachable' | 'http' | 'protocol' | 'auth' | 'no_model' | 'config' | 'timeout'

export class ModelError extends Error {
  override name = 'ModelError'
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly url?: string,
  ) {
    super(message)
  }
}

export const START_A_SERVER_HINT =
  'start LM Studio, Ollama or llama.cpp (llama-server), or pass --model (e.g. --model ollama:qwen2.5-coder:7b)'

export function unreachable(url: string, detail?: string): ModelError {
  const why = detail ? ` (${detail})` : ''
  return new ModelError(
    'unreachable',
    `No model server answered at ${url}${why}. Fix: ${START_A_SERVER_HINT}.`,
    url,
  )
}
