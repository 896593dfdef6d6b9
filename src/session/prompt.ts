// A user's prompt as transport-neutral blocks, and how it reads to the model.
export type PromptBlock =
  | { type: 'text'; text: string }
  | { type: 'resource'; uri: string; text: string; mimeType?: string }
  | {
      type: 'resource_link'
      uri: string
      name: string
      title?: string
      description?: string
      mimeType?: string
    }
  | { type: 'unsupported'; kind: string }

export function promptToModelText(blocks: PromptBlock[]): string {
  return blocks.map(blockToModelText).join('\n\n')
}

function blockToModelText(block: PromptBlock): string {
  switch (block.type) {
    case 'text':
      return block.text
    case 'resource':
      return `<context uri="${block.uri}">\n${block.text}\n</context>`
    case 'resource_link': {
      const label = block.title ?? block.name
      return `[Referenced: ${label} (${block.uri})${block.description ? ` — ${block.description}` : ''}]`
    }
    case 'unsupported':
      return `[An attachment (${block.kind}) was left out: this agent reads text only]`
  }
}

export function promptPlainText(blocks: PromptBlock[]): string {
  return blocks
    .filter((b): b is Extract<PromptBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
}
