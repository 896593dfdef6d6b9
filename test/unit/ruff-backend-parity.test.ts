// The wasm backend's notion of a safe fix agrees with the ruff CLI's own applicability on sample code: the same
// violations are fixable, and a safe fix run leaves the same text. Runs when ruff is on PATH.
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RuffLinter } from '../../src/devtools/ruff.js'
import { makeTempDir } from '../helpers/temp.js'

const withRuff = (process.env.PATH ?? '').split(delimiter).filter((dir) => existsSync(join(dir, 'ruff')))
if (!withRuff.length) console.warn('skipping the ruff backend parity test: ruff is not on PATH')

const SAMPLE = `# -*- coding: utf-8 -*-
from __future__ import (  # kept
    print_function,
)
import os, sys  # two
import collections


class A(  # a comment
    object
):
    pass


class B(object):
    pass


def f(x, y):
    unused = 1
    if not x in y:
        pass
    if not x is y:
        pass
    if x == None:
        pass
    print(f"hi");
    open("f", "r")
    if x is "a":
        raise NotImplemented
    return [
        'a',
        'b'
    ]


import json
import json


def g():
    return json.dumps(1)`

const RULES = [
  'COM812',
  'E401',
  'E703',
  'E711',
  'E713',
  'E714',
  'F401',
  'F541',
  'F632',
  'F811',
  'F841',
  'F901',
  'I001',
  'Q000',
  'UP004',
  'UP009',
  'UP010',
  'UP015',
  'W292',
]

describe.skipIf(!withRuff.length)('ruff backends agree on what is fixable', () => {
  const path = process.env.PATH
  afterEach(() => {
    process.env.PATH = path
  })

  it('reports the same fixable violations and applies the same safe and unsafe fixes', async () => {
    const project = makeTempDir('punie-ruff-parity-')
    try {
      const { writeFileSync } = await import('node:fs')
      writeFileSync(
        join(project.path, 'pyproject.toml'),
        `[tool.ruff.lint]\nselect = ${JSON.stringify(RULES)}\n`,
      )
      const file = join(project.path, 'sample.py')
      const cli = new RuffLinter(project.path)
      expect(await cli.kind()).toBe('cli')
      process.env.PATH = (path ?? '')
        .split(delimiter)
        .filter((d) => !withRuff.includes(d))
        .join(delimiter)
      const wasm = new RuffLinter(project.path)
      expect(await wasm.kind()).toBe('wasm')
      process.env.PATH = path
      for (const unsafe of [false, true]) {
        const key = (v: { line: number; code: string | null; fixable: boolean }) =>
          `${v.line} ${v.code} ${v.fixable}`
        const fromCli = (await cli.check(SAMPLE, file, { unsafe })).map(key).sort()
        const fromWasm = (await wasm.check(SAMPLE, file, { unsafe })).map(key).sort()
        expect(fromWasm, `unsafe: ${unsafe}`).toEqual(fromCli)
        expect(await wasm.fix(SAMPLE, file, { unsafe }), `unsafe: ${unsafe}`).toBe(
          await cli.fix(SAMPLE, file, { unsafe }),
        )
      }
    } finally {
      project.remove()
    }
  })
})
