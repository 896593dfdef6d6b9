// A user's prompt as transport-neutral blocks, and how it reads to the model.
import type { ImagePart } from '../model/types.js'

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
  | { type: 'image'; mimeType: string; data: string; uri?: string }
  | { type: 'unsupported'; kind: string }

/** What an image may weigh (decoded); a larger one is left out with a note, before it reaches a model. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024

/** The formats OpenAI-compatible servers take in `image_url` parts. */
export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']

/** The decoded size of base64 `data`, without decoding it. */
export function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding)
}

/** How the prompt reaches a model: images travel as parts when it accepts them, otherwise as a note. */
export interface ModelPromptOptions {
  /** The model's spec, named in the note when it takes no images. */
  model?: string
  images?: boolean
}

export function promptToModelText(blocks: PromptBlock[], options: ModelPromptOptions = {}): string {
  return blocks
    .map((b) => blockToModelText(b, options))
    .filter((text) => text !== '')
    .join('\n\n')
}

/** The images the model gets as parts of the user message (only when it accepts images). */
export function promptImages(blocks: PromptBlock[]): ImagePart[] {
  return blocks.flatMap((b) => (b.type === 'image' ? [{ mimeType: b.mimeType, data: b.data }] : []))
}

function blockToModelText(block: PromptBlock, options: ModelPromptOptions): string {
  switch (block.type) {
    case 'text':
      return block.text
    case 'resource':
      return `<context uri="${block.uri}">\n${block.text}\n</context>`
    case 'resource_link': {
      const label = block.title ?? block.name
      return `[Referenced: ${label} (${block.uri})${block.description ? ` — ${block.description}` : ''}]`
    }
    case 'image':
      if (options.images) return ''
      return `[An image (${block.mimeType}) was left out: the model${options.model ? ` ${options.model}` : ''} does not take images (list it in imageModels in ~/.punie/config.json if it does)]`
    case 'unsupported':
      return `[An attachment (${block.kind}) was left out: it cannot be passed to the model]`
  }
}

export function promptPlainText(blocks: PromptBlock[]): string {
  return blocks
    .filter((b): b is Extract<PromptBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
}
