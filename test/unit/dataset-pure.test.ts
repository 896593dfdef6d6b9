// The dataset library's pure parts: Python version signals from the real grammar on real snippets, the progress
// renderer on a fake clock, and the seeded allocation split and sample rely on.
import { describe, expect, it } from 'vitest'
import { createProgress } from '../../src/cli/progress.js'
import { pythonAnalyzer } from '../../src/dataset/python-signals.js'
import { allocate } from '../../src/dataset/random.js'

describe('Python version signals', () => {
  const cases: [string, string, string[], string][] = [
    ['match statement', 'match p:\n    case Point(x=0):\n        pass', ['match'], '3.10'],
    ['match as a name is not a signal', 'match = re.match(r"x", s)\nprint(match)', [], '3.0'],
    ['except*', 'try:\n    f()\nexcept* (TypeError, ValueError):\n    raise', ['except-star'], '3.11'],
    ['type alias', 'type Vector = list[float]', ['type-alias'], '3.12'],
    ['generic class', 'class Box[T]:\n    item: T', ['type-params'], '3.12'],
    ['generic function', 'def first[T](xs: list[T]) -> T:\n    return xs[0]', ['type-params'], '3.12'],
    ['walrus', 'while (chunk := f.read(10)):\n    pass', ['walrus'], '3.8'],
    ['positional-only', 'def f(a, b, /, c):\n    pass', ['positional-only'], '3.8'],
    ['f-string reusing its quote', 'print(f"{", ".join(names)}")', ['fstring', 'fstring-nesting'], '3.12'],
    [
      'backslash in a replacement field',
      'print(f\'{"\\n".join(lines)}\')',
      ['fstring', 'fstring-nesting'],
      '3.12',
    ],
    ['triple-quoted f-string with inner quotes is old', 'x = f"""{d["k"]}"""', ['fstring'], '3.6'],
    ['async', 'async def main():\n    await go()', ['async'], '3.5'],
    ['matrix multiply', 'c = a @ b', ['matmul'], '3.5'],
  ]
  it.each(cases)('%s', async (_name, code, signals, minVersion) => {
    const analyze = await pythonAnalyzer()
    expect(analyze(code)).toMatchObject({ signals, minVersion, python2: false })
  })

  it('marks Python 2 print and exec statements', async () => {
    const analyze = await pythonAnalyzer()
    expect(analyze('print "hi"\nexec "x = 1"')).toMatchObject({
      signals: ['exec-statement', 'print-statement'],
      python2: true,
    })
    expect(analyze('print("hi")').python2).toBe(false)
  })
})

describe('progress', () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = []
    return { out, stream: { isTTY, columns: 200, write: (t: string) => out.push(t) } }
  }

  it('writes one line per interval and a final line when not a terminal', () => {
    let now = 0
    const { out, stream } = sink(false)
    const p = createProgress({ stream, now: () => now })
    p.start('validate', 3000)
    for (let i = 0; i < 5; i++) {
      now += 1000
      p.tick(10, 100)
    }
    p.done('no problems')
    expect(out).toHaveLength(3)
    expect(out[0]).toBe('validate: 7%, 20 lines, 200 B of 2.9 KB, 10 lines/s, 100 B/s, 2.0 s\n')
    expect(out[2]).toBe('validate: 50 lines, 500 B of 2.9 KB, 10 lines/s, 100 B/s, 5.0 s — no problems\n')
  })

  it('redraws a bar in place on a terminal and clears it at the end', () => {
    let now = 0
    const { out, stream } = sink(true)
    const p = createProgress({ stream, now: () => now })
    p.start('stats', 1000)
    now += 500
    p.tick(5, 500)
    p.done('5 examples')
    expect(out[0]).toMatch(/^\rstats \[#{12}-{12}\] 50%/)
    expect(out[1]?.startsWith('\r\u001b[Kstats: 5 lines, 500 B of 1000 B')).toBe(true)
  })

  it('writes nothing when off', () => {
    const { out, stream } = sink(false)
    const p = createProgress({ stream, enabled: false })
    p.start('x')
    p.tick(1, 1)
    p.done('y')
    expect(out).toEqual([])
  })
})

describe('allocate', () => {
  it('splits whole counts by shares, summing to the total', () => {
    expect(allocate(60, [0.8, 0.1, 0.1])).toEqual([48, 6, 6])
    expect(allocate(7, [0.8, 0.1, 0.1])).toEqual([5, 1, 1])
    expect(allocate(10, [30, 20])).toEqual([6, 4])
  })
})
