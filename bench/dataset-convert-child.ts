// A child process of the dataset bench: converts a canonical file to one format, streaming, and reports its
// peak RSS. It stands in for `punie dataset convert` until that command is merged; both use formatByName.
import { formatByName } from '../src/dataset/formats/index.js'
import { JsonlWriter } from '../src/dataset/jsonl.js'
import { readExamples } from '../src/dataset/read-examples.js'

const [name, input, output] = process.argv.slice(2)
const format = name ? formatByName(name) : undefined
if (!format || !input || !output) {
  process.stderr.write('usage: dataset-convert-child FORMAT IN OUT\n')
  process.exit(2)
}
const writer = new JsonlWriter(output)
let lines = 0
for await (const entry of readExamples(input)) {
  if (!entry.ok) continue
  await writer.write(format.fromExample(entry.example))
  lines++
}
await writer.close()
process.stderr.write(`converted ${lines}\npunie-max-rss-kb ${process.resourceUsage().maxRSS}\n`)
