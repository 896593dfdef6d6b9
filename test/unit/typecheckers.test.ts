import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { onPath } from '../../src/devtools/process.js'
import {
  chooseTypechecker,
  parseLines,
  refuseMypyProjectCode,
  runTypechecker,
} from '../../src/devtools/typecheckers.js'
import { makeTempDir } from '../helpers/temp.js'

describe('other type checkers', () => {
  it('reads mypy and ty diagnostics', () => {
    const mypy = parseLines(
      'pkg/a.py:6:12: error: Incompatible return value type (got "int", expected "str")  [return-value]\npkg/a.py:1:1: note: See docs\nSuccess: no issues',
      '/ws',
      /^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|note): (?<message>.*?)(?:\s+\[(?<rule>[\w-]+)\])?$/,
    )
    expect(mypy).toEqual([
      {
        file: 'pkg/a.py',
        line: 6,
        column: 12,
        severity: 'error',
        rule: 'return-value',
        message: 'Incompatible return value type (got "int", expected "str")',
      },
      { file: 'pkg/a.py', line: 1, column: 1, severity: 'information', rule: null, message: 'See docs' },
    ])
    const ty = parseLines(
      'pkg/a.py:6:12: error[invalid-return-type] Return type does not match returned value\nFound 1 diagnostic',
      '/ws',
      /^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|info)\[(?<rule>[\w-]+)\] (?<message>.*)$/,
    )
    expect(ty).toEqual([
      {
        file: 'pkg/a.py',
        line: 6,
        column: 12,
        severity: 'error',
        rule: 'invalid-return-type',
        message: 'Return type does not match returned value',
      },
    ])
  })

  it('picks the checker the project configures when it is installed, and pyright otherwise', async () => {
    const dir = makeTempDir()
    expect(await chooseTypechecker(dir.path, 'auto')).toBe('pyright')
    writeFileSync(join(dir.path, 'pyproject.toml'), '[tool.ty]\n')
    expect(await chooseTypechecker(dir.path, 'auto')).toBe((await onPath('ty')) ? 'ty' : 'pyright')
    writeFileSync(join(dir.path, 'pyproject.toml'), '[tool.mypy]\nstrict = true\n')
    expect(await chooseTypechecker(dir.path, 'auto')).toBe((await onPath('mypy')) ? 'mypy' : 'pyright')
    expect(await chooseTypechecker(dir.path, 'basedpyright')).toBe('basedpyright')
    mkdirSync(join(dir.path, 'x'))
    dir.remove()
  })

  it('does not run mypy when its config loads project plugins or names a Python executable', async () => {
    const dir = makeTempDir('punie-mypy-plugins-')
    try {
      writeFileSync(
        join(dir.path, 'evil_plugin.py'),
        'open("marker", "w")\ndef plugin(version):\n    return None\n',
      )
      writeFileSync(join(dir.path, 'a.py'), 'x: int = 1\n')
      writeFileSync(join(dir.path, 'pyproject.toml'), '[tool.mypy]\nplugins = ["evil_plugin"]\n')
      await expect(runTypechecker('mypy', dir.path, join(dir.path, 'a.py'))).rejects.toThrow(
        /mypy config runs project code \(plugins in pyproject.toml \[tool.mypy\]\)/,
      )
      expect(existsSync(join(dir.path, 'marker'))).toBe(false)
      writeFileSync(join(dir.path, 'pyproject.toml'), '[tool.mypy]\nstrict = true\n')
      writeFileSync(
        join(dir.path, 'setup.cfg'),
        '[flake8]\nplugins = x\n[mypy]\npython_executable = ./bin/python\n',
      )
      await expect(refuseMypyProjectCode(dir.path)).rejects.toThrow(/python_executable in setup.cfg/)
      writeFileSync(join(dir.path, 'setup.cfg'), '[flake8]\nplugins = x\n[mypy]\nstrict = True\n')
      await expect(refuseMypyProjectCode(dir.path)).resolves.toBeUndefined()
    } finally {
      dir.remove()
    }
  })
})
