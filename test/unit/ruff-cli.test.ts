// The system `ruff` is preferred when installed. It cannot be installed here, so a stand-in `ruff` on PATH
// answers as the real CLI does; this drives the real code path: spawning, stdin, the JSON it prints.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRuffJson, RuffLinter } from '../../src/devtools/ruff.js'
import { makeTempDir } from '../helpers/temp.js'

describe('ruff: the system CLI when it is installed', () => {
  const bin = makeTempDir('punie-fake-ruff-')
  const project = makeTempDir('punie-ruff-project-')
  const path = process.env.PATH
  beforeAll(() => {
    mkdirSync(join(bin.path, 'bin'))
    const script = join(bin.path, 'bin', 'ruff')
    // Records its arguments and stdin; answers like ruff: check → JSON, --fix-only → fixed source, format → source.
    writeFileSync(
      script,
      `#!/bin/sh
echo "$@" >> "${bin.path}/calls"
input=$(cat)
case "$*" in
  *--output-format*) printf '[{"code":"F401","message":"\`os\` imported but unused","location":{"row":1,"column":8},"end_location":{"row":1,"column":10},"filename":"a.py","fix":{"applicability":"safe"}}]'; exit 1 ;;
  *--fix-only*) printf '%s\\n' "$input" | grep -v '^import os' ;;
  format*) printf 'x = 1\\n' ;;
esac
`,
    )
    chmodSync(script, 0o755)
    process.env.PATH = `${join(bin.path, 'bin')}:${path}`
  })
  afterAll(() => {
    process.env.PATH = path
    bin.remove()
    project.remove()
  })

  it('checks, fixes and formats through the CLI, passing the file name for its settings', async () => {
    const ruff = new RuffLinter(project.path)
    expect(await ruff.kind()).toBe('cli')
    const file = join(project.path, 'pkg', 'a.py')
    expect(await ruff.check('import os\nx=1\n', file)).toEqual([
      { line: 1, column: 8, code: 'F401', message: '`os` imported but unused', fixable: true },
    ])
    expect(await ruff.fix('import os\nx=1', file)).toBe('x=1\n')
    expect(await ruff.format('x=1\n', file)).toBe('x = 1\n')
    const calls = readFileSync(join(bin.path, 'calls'), 'utf8').trim().split('\n')
    expect(calls).toEqual([
      'check --output-format json --no-fix --no-unsafe-fixes --stdin-filename=pkg/a.py -',
      'check --fix-only --exit-zero --no-unsafe-fixes --stdin-filename=pkg/a.py -',
      'format --stdin-filename=pkg/a.py -',
    ])
  })

  it('reports unreadable output as a typed error', () => {
    expect(() => parseRuffJson('error: ruff crashed')).toThrow(/did not answer with JSON/)
    expect(() => parseRuffJson('{"a":1}')).toThrow(/not a list/)
  })
})
