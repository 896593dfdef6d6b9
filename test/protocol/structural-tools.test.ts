// find_pattern and add_import on a real project, through the agent as an IDE drives it: structural matches
// against what a text search (grep) finds on the same files, and add_import through the edit path.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, statuses } from './tool-harness.js'

const PROJECT: Record<string, string> = {
  '.gitignore': 'build/\n',
  'app/__init__.py': '',
  'app/render.py': [
    '"""The render helper."""',
    '',
    '',
    'def render(name: str) -> str:',
    '    return f"<{name}>"',
    '',
  ].join('\n'),
  'app/views.py': [
    '"""Views. Each one calls render() once."""',
    'import os',
    'from app.render import render  # render helper',
    '',
    '',
    '@route("/")',
    'def index():',
    '    # render the index page, see render() in app/render.py',
    '    return render("index")',
    '',
    '',
    '@route("/about")',
    '@cached',
    'def about():',
    '    title = "render about"',
    '    return render(title) + app.render(title)',
    '',
    '',
    'class Page:',
    '    def render(self):',
    '        return os.path.join("render", "page")',
    '',
  ].join('\n'),
  'notes.txt': 'call render() here too\n',
  'build/generated.py': 'render("generated")\n',
}

function writeProject(root: string) {
  for (const [path, text] of Object.entries(PROJECT)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
}

interface Found {
  matches: {
    file: string
    line: number
    column: number
    node_type: string
    capture: string
    snippet: string
  }[]
}

const lines = (result: string) => result.split('\n').filter((l) => /^[\w/.]+:\d+/.test(l))

describe('find_pattern', () => {
  const f = useProtocolFixture()

  it('finds the calls of a name that grep also finds in comments, strings, definitions and other files', async () => {
    writeProject(f.workspace)
    const sessionId = await f.session()
    const structural = await runTool(f, sessionId, 'find_pattern', { pattern: 'call', name: 'render' })
    const text = await runTool(f, sessionId, 'grep', { pattern: 'render' })
    expect(lines(structural.result)).toEqual([
      'app/views.py:9:12: call call: render("index")',
      'app/views.py:16:12: call call: render(title)',
      'app/views.py:16:28: call call: app.render(title)',
    ])
    // grep: the docstring, the import line, the comment, the string, the definitions, notes.txt (not build/).
    expect(lines(text.result)).toHaveLength(11)
    expect(text.result).toContain('notes.txt:1:')
    expect(text.result).not.toContain('build/')
  })

  it('finds decorators, imports, classes and functions by name, and skips files .gitignore excludes', async () => {
    writeProject(f.workspace)
    const sessionId = await f.session()
    const decorators = await runTool(f, sessionId, 'find_pattern', { pattern: 'decorator', name: 'route' })
    expect(lines(decorators.result)).toEqual([
      'app/views.py:6:1: decorator decorator: @route("/")',
      'app/views.py:12:1: decorator decorator: @route("/about")',
    ])
    const imports = await runTool(f, sessionId, 'find_pattern', { pattern: 'import', name: 'app' })
    expect(lines(imports.result)).toEqual([
      'app/views.py:3:1: import import_from_statement: from app.render import render',
    ])
    const classes = await runTool(f, sessionId, 'find_pattern', { pattern: 'class' })
    expect(lines(classes.result)).toEqual(['app/views.py:19:1: class class_definition: class Page:'])
    const functions = await runTool(f, sessionId, 'find_pattern', { pattern: 'function', name: 'render' })
    expect(lines(functions.result)).toEqual([
      'app/render.py:4:1: function function_definition: def render(name: str) -> str:',
      'app/views.py:20:5: function function_definition: def render(self):',
    ])
  })

  it('runs a raw tree-sitter query, reporting its captures but not those named _x', async () => {
    writeProject(f.workspace)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'find_pattern', {
      query:
        '((call function: (identifier) @_f arguments: (argument_list (string) @literal)) (#eq? @_f "render"))',
      path: 'app',
    })
    expect(lines(run.result)).toEqual(['app/views.py:9:19: literal string: "index"'])
    const output = f.acp
      .updates(sessionId)
      .flatMap((u) =>
        u.sessionUpdate === 'tool_call_update' && u.status === 'completed' && u.rawOutput
          ? [u.rawOutput]
          : [],
      )
    expect((output.at(-1) as Found).matches[0]).toEqual({
      file: 'app/views.py',
      line: 9,
      column: 19,
      node_type: 'string',
      capture: 'literal',
      snippet: '"index"',
    })
  })

  it('reports an invalid query with its offset, and a missing pattern, as errors the model can fix', async () => {
    writeProject(f.workspace)
    const sessionId = await f.session()
    const bad = await runTool(f, sessionId, 'find_pattern', { query: '(call (nosuchnode))' })
    expect(bad.result).toMatch(/^Error: invalid tree-sitter query at offset 7: Bad node name 'nosuchnode'/)
    expect(statuses(bad)).toContain('failed')
    const neither = await runTool(f, sessionId, 'find_pattern', { path: 'app' })
    expect(neither.result).toMatch(/give either pattern .* or query/)
    const outside = await runTool(f, sessionId, 'find_pattern', { pattern: 'call', path: '/etc' })
    expect(outside.result).toMatch(/outside the workspace/)
  })

  it('looks at Python files only: a .txt naming the same call is skipped', async () => {
    writeProject(f.workspace)
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'find_pattern', { pattern: 'call', name: 'render', glob: '**/*' })
    expect(run.result).not.toContain('notes.txt')
    const none = await runTool(f, sessionId, 'find_pattern', { pattern: 'call', path: 'notes.txt' })
    expect(none.result).toBe('No matches in 0 Python files.')
  })
})

describe('add_import', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const ide = () => f.acp.ide as ScriptedIde
  const file = () => join(f.workspace, 'mod.py')
  const SOURCE = [
    '#!/usr/bin/env python3',
    '"""A module."""',
    '',
    'from __future__ import annotations',
    '',
    'import os',
    'from typing import Any',
    '',
    '',
    'def main() -> Any:',
    '    return os.getcwd()',
    '',
  ].join('\n')

  it('asks with the diff, adds the import at the end of the import block, and changes nothing the second time', async () => {
    writeFileSync(file(), SOURCE)
    const sessionId = await f.session()
    ide().answerPermissions('allow_once', 'allow_once')
    const run = await runTool(f, sessionId, 'add_import', { path: 'mod.py', module: 'sys' })
    expect(run.result).toBe('Added `import sys` to mod.py at line 8')
    expect(ide().permissionRequests).toHaveLength(1)
    expect(ide().permissionRequests[0]?.toolCall).toMatchObject({
      kind: 'edit',
      content: [{ type: 'diff', path: file(), oldText: SOURCE }],
    })
    expect(readFileSync(file(), 'utf8')).toBe(
      SOURCE.replace('from typing import Any\n', 'from typing import Any\nimport sys\n'),
    )

    const again = await runTool(f, sessionId, 'add_import', { path: 'mod.py', module: 'sys' })
    expect(again.result).toBe('mod.py already imports it (line 8): nothing changed')
    expect(ide().permissionRequests).toHaveLength(1)
  })

  it('joins an existing from-import, treats every equivalent form as already there, and puts __future__ first', async () => {
    writeFileSync(file(), SOURCE)
    const sessionId = await f.session()
    ide().answerPermissions('allow_once', 'allow_once')
    const joined = await runTool(f, sessionId, 'add_import', {
      path: 'mod.py',
      module: 'typing',
      name: 'cast',
    })
    expect(joined.result).toBe(
      'Added `from typing import cast` to mod.py at line 7 (joined the existing import)',
    )
    expect(readFileSync(file(), 'utf8')).toContain('from typing import Any, cast\n')
    for (const args of [
      { module: 'typing', name: 'Any' },
      { module: 'typing', name: 'cast' },
      { module: 'os' },
      { module: '__future__', name: 'annotations' },
    ]) {
      const same = await runTool(f, sessionId, 'add_import', { path: 'mod.py', ...args })
      expect(same.result).toMatch(/already imports it/)
    }
    expect(ide().permissionRequests).toHaveLength(1)
    const future = await runTool(f, sessionId, 'add_import', {
      path: 'mod.py',
      module: '__future__',
      name: 'division',
    })
    expect(future.result).toMatch(/joined the existing import/)
    expect(readFileSync(file(), 'utf8')).toContain('from __future__ import annotations, division\n')
  })

  it('leaves the file unchanged when the user rejects the edit, and tells the model', async () => {
    writeFileSync(file(), SOURCE)
    const sessionId = await f.session()
    ide().answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'add_import', { path: 'mod.py', module: 'json' })
    expect(run.result).toMatch(/^Error: the user rejected Import json in mod\.py/)
    expect(readFileSync(file(), 'utf8')).toBe(SOURCE)
  })

  it('refuses a module name Python would not accept, and a path outside the workspace', async () => {
    writeFileSync(file(), SOURCE)
    const sessionId = await f.session()
    const bad = await runTool(f, sessionId, 'add_import', { path: 'mod.py', module: 'os; rm -rf /' })
    expect(bad.result).toMatch(/is not a module name/)
    const outside = await runTool(f, sessionId, 'add_import', { path: '../x.py', module: 'os' })
    expect(outside.result).toMatch(/outside the workspace/)
    expect(ide().permissionRequests).toHaveLength(0)
  })
})
