// Model text as readable blocks: paragraphs keep their newlines, fenced code goes in <pre>, `code` and **bold**
// become elements. Never as HTML.
import { splitFences, splitInline } from '../format.js'

export function ModelText({ text }: { text: string }) {
  return (
    <>
      {splitFences(text).map((b, i) =>
        b.kind === 'code' ? (
          <pre key={i} class="code" data-lang={b.lang || undefined}>
            {b.text}
          </pre>
        ) : (
          <div key={i} class="text">
            {splitInline(b.text).map((part, j) =>
              part.kind === 'code' ? (
                <code key={j}>{part.text}</code>
              ) : part.kind === 'strong' ? (
                <strong key={j}>{part.text}</strong>
              ) : (
                part.text
              ),
            )}
          </div>
        ),
      )}
    </>
  )
}
