// add_import's placement and idempotence, pure over the Python syntax tree.
import { beforeAll, describe, expect, it } from 'vitest'
import { type ImportSpec, planImport } from '../../src/devtools/python-imports.js'
import { loadPython, type PythonSyntax } from '../../src/devtools/python-syntax.js'

let syntax: PythonSyntax
beforeAll(async () => {
  syntax = await loadPython()
})

const added = (text: string, spec: ImportSpec) => {
  const plan = planImport(syntax, text, spec)
  if (!plan.changed) throw new Error(`nothing added: already at line ${plan.existing.line}`)
  return plan.text
}

describe('planImport', () => {
  it('puts the first import of a file after its docstring, apart from the code', () => {
    expect(added('"""Doc."""\nx = 1\n', { module: 'os' })).toBe('"""Doc."""\n\nimport os\n\nx = 1\n')
    expect(added('x = 1\n', { module: 'os' })).toBe('import os\n\nx = 1\n')
    expect(added('', { module: 'os' })).toBe('import os\n')
    expect(added('#!/usr/bin/env python3\n# licence\nx = 1\n', { module: 'os' })).toBe(
      '#!/usr/bin/env python3\n# licence\nimport os\n\nx = 1\n',
    )
  })

  it('joins the leading import block, after __future__, not an import further down', () => {
    const text = '"""Doc."""\nfrom __future__ import annotations\nimport os\n\nx = 1\nimport late\n'
    expect(added(text, { module: 'sys' })).toBe(
      '"""Doc."""\nfrom __future__ import annotations\nimport os\nimport sys\n\nx = 1\nimport late\n',
    )
    expect(added('"""Doc."""\nimport os\n', { module: '__future__', name: 'annotations' })).toBe(
      '"""Doc."""\n\nfrom __future__ import annotations\nimport os\n',
    )
  })

  it('joins an existing from-import of the module, parenthesised or not', () => {
    expect(added('from a import (\n    b,\n    c,\n)\n', { module: 'a', name: 'd' })).toBe(
      'from a import (\n    b,\n    c, d,\n)\n',
    )
    expect(added('from a import b\n', { module: 'a', name: 'd', alias: 'e' })).toBe(
      'from a import b, d as e\n',
    )
  })

  it('changes nothing when an equivalent import is there', () => {
    const text = [
      'import os.path',
      'import numpy as np',
      'from a import (b, c as d)',
      'from star import *',
      'from .rel import thing',
      '',
    ].join('\n')
    for (const spec of [
      { module: 'os' },
      { module: 'os.path' },
      { module: 'numpy', alias: 'np' },
      { module: 'a', name: 'b' },
      { module: 'a', name: 'c', alias: 'd' },
      { module: 'star', name: 'anything' },
      { module: '.rel', name: 'thing' },
    ])
      expect(planImport(syntax, text, spec).changed, JSON.stringify(spec)).toBe(false)
    // Not equivalent: another binding.
    for (const spec of [
      { module: 'numpy' },
      { module: 'a', name: 'c' },
      { module: 'a', name: 'b', alias: 'x' },
    ])
      expect(planImport(syntax, text, spec).changed, JSON.stringify(spec)).toBe(true)
  })

  it('refuses names Python would not accept', () => {
    expect(() => planImport(syntax, '', { module: 'os; import sys' })).toThrow(/not a module name/)
    expect(() => planImport(syntax, '', { module: 'os', name: 'a b' })).toThrow(/not a name/)
    expect(() => planImport(syntax, '', { module: '.rel' })).toThrow(/relative module needs a name/)
  })
})

describe('planImport after code at the top', () => {
  it('finds the first import block even when __all__ comes before it', () => {
    expect(added('__all__ = ("x",)\n\nimport os\nimport re\n\nx = 1\n', { module: 'sys' })).toBe(
      '__all__ = ("x",)\n\nimport os\nimport re\nimport sys\n\nx = 1\n',
    )
  })
})
