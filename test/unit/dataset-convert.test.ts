// The streaming converter in-process (progress callback, problems by line, code form on the way) and the
// format told from a file's lines.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { convertDataset } from '../../src/dataset/convert.js'
import { formatsOfLine, sniffFormat } from '../../src/dataset/formats/detect.js'
import { FORMATS, formatByName } from '../../src/dataset/formats/index.js'
import { DIRECT_ANSWER, MULTI_CALL, TOOLS_NO_SYSTEM } from '../helpers/dataset-examples.js'
import { makeTempDir } from '../helpers/temp.js'

const dir = makeTempDir('punie-convert-unit-')
afterAll(() => dir.remove())

function format(name: string) {
  const f = formatByName(name)
  if (!f) throw new Error(name)
  return f
}

describe('convertDataset', () => {
  it('reports progress as it goes and each bad line by number, and writes the rest', async () => {
    const input = join(dir.path, 'in.jsonl')
    const good = JSON.stringify(TOOLS_NO_SYSTEM)
    const lines = Array.from({ length: 25 }, (_, i) =>
      i === 6 ? '{"messages": []}' : i === 17 ? '{oops' : good,
    )
    writeFileSync(input, `${lines.join('\n')}\n`)
    const progress: [number, number][] = []
    const problems: [number, string][] = []
    const summary = await convertDataset({
      input,
      output: join(dir.path, 'out.jsonl'),
      from: format('openai'),
      to: format('sharegpt'),
      progressEvery: 10,
      onProgress: (l, b) => progress.push([l, b]),
      onProblem: (l, p) => problems.push([l, p]),
    })
    const bytes = Buffer.byteLength(`${lines.join('\n')}\n`)
    expect(summary).toEqual({ lines: 25, written: 23, problems: 2, bytes })
    expect(progress.map(([l]) => l)).toEqual([10, 20, 25])
    expect(progress.at(-1)?.[1]).toBe(bytes)
    expect(problems.map(([l]) => l)).toEqual([7, 18])
    expect(problems[0]?.[1]).toMatch(/messages/)
    expect(problems[1]?.[1]).toMatch(/^not JSON/)
    const written = readFileSync(join(dir.path, 'out.jsonl'), 'utf8').trim().split('\n')
    expect(written).toHaveLength(23)
    expect(JSON.parse(written[0] as string)).toEqual(format('sharegpt').fromExample(TOOLS_NO_SYSTEM))
  })

  it('writes the code form when asked, and says which lines the target format cannot express', async () => {
    const input = join(dir.path, 'code-in.jsonl')
    const systemLater = {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'b' },
      ],
    }
    writeFileSync(input, `${JSON.stringify(MULTI_CALL)}\n${JSON.stringify(systemLater)}\n`)
    const problems: string[] = []
    const output = join(dir.path, 'code-out.jsonl')
    await convertDataset({
      input,
      output,
      from: format('openai'),
      to: format('sharegpt'),
      codeForm: true,
      onProblem: (l, p) => problems.push(`${l}: ${p}`),
    })
    expect(problems).toEqual([
      '2: cannot be written as sharegpt: messages.1: ShareGPT has no system message after the first',
    ])
    const line = JSON.parse(readFileSync(output, 'utf8'))
    expect(line.conversations[2]).toMatchObject({ from: 'function_call' })
    expect(JSON.parse(line.conversations[2].value).name).toBe('execute_code')
  })

  it('fails at once on an output that cannot be opened', async () => {
    const input = join(dir.path, 'in.jsonl')
    await expect(
      convertDataset({
        input,
        output: join(dir.path, 'no', 'such', 'dir.jsonl'),
        from: format('openai'),
        to: format('mlx'),
      }),
    ).rejects.toThrow(/ENOENT/)
  })
})

describe('telling the format', () => {
  it.each(FORMATS.filter((f) => f.name !== 'axolotl' && f.name !== 'mlx').map((f) => [f.name, f] as const))(
    'a %s line with tool calls names its format',
    (name, f) => {
      expect(formatsOfLine(JSON.parse(JSON.stringify(f.fromExample(MULTI_CALL))))).toEqual([name])
    },
  )

  it('object arguments could be mlx or axolotl; a chat without tools says nothing', () => {
    expect(formatsOfLine(format('mlx').fromExample(MULTI_CALL))).toEqual(['mlx', 'axolotl'])
    expect(formatsOfLine(DIRECT_ANSWER)).toBeUndefined()
    expect(formatsOfLine({ text: '<|im_start|>user\nhi<|im_end|>\n' })).toBeUndefined()
  })

  it('reads past lines that say nothing, and falls back to the canonical form', async () => {
    const path = join(dir.path, 'sniff.jsonl')
    writeFileSync(
      path,
      `${JSON.stringify(DIRECT_ANSWER)}\nnot json\n${JSON.stringify(format('qwen3-coder').fromExample(MULTI_CALL))}\n`,
    )
    expect(await sniffFormat(path)).toEqual({ format: 'qwen3-coder' })
    writeFileSync(path, `${JSON.stringify(DIRECT_ANSWER)}\n`)
    expect(await sniffFormat(path)).toEqual({ format: 'openai' })
    writeFileSync(path, 'nothing here\n')
    expect(await sniffFormat(path)).toEqual({ unknown: 'no JSON line to tell the format by' })
  })
})
