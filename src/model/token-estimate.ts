// The one token estimate used without a tokenizer (a session's context budget, a dataset's lengths, training
// checks): conservative, since real tokenizers average 3.5–4.5 bytes per token on code and prose. Pure.

/** Per-message overhead of chat templates (role markers, separators), in tokens. */
export const MESSAGE_OVERHEAD_TOKENS = 4

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 3)
}
