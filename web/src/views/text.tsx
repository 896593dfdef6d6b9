// Model text as readable blocks: paragraphs keep their newlines, fenced code goes in <pre>. Never as HTML.
import { splitFences } from '../format.js'

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
            {b.text}
          </div>
        ),
      )}
    </>
  )
}
