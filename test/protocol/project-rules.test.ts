// Project rules (.punie/rules.yaml) through the agent: a rule's typed issue joins the result of the edit that
// caused it, so the model reads it in the same turn; command rules run only in a trusted project; check_rules
// exists only where there are rules.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTrust } from '../../src/cli/trust-command.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const QUERY_RULE = `rules:
  - id: no-print
    severity: warning
    files: ["src/**/*.py"]
    message: print() of {arg} left in the code.
    suggestion: Use the logger.
    query: |
      ((call function: (identifier) @_f arguments: (argument_list) @arg) @match (#eq? @_f "print"))
`

/** A command rule whose program reports one issue per file it is given, and leaves a mark that it ran. */
const COMMAND_RULE = `  - id: custom-lint
    command: ["node", "-e", "require('fs').writeFileSync('ran.txt', ''); for (const f of process.argv.slice(1)) console.log(f + ':2:5: W7 too clever')", "{files}"]
    files: ["src/**/*.py"]
    parse:
      regex: '^(?<file>[^:]+):(?<line>\\d+):(?<column>\\d+): (?<rule>\\w+) (?<message>.+)$'
`

describe('project rules', () => {
  const f = useProtocolFixture()
  const rules = (text: string) => {
    mkdirSync(join(f.workspace, '.punie'), { recursive: true })
    writeFileSync(join(f.workspace, '.punie', 'rules.yaml'), text)
  }
  const source = (text: string) => {
    mkdirSync(join(f.workspace, 'src'), { recursive: true })
    writeFileSync(join(f.workspace, 'src', 'app.py'), text)
  }
  const toolNames = (index: number) =>
    f.model.chatRequests()[index]?.body.tools?.map((t) => t.function.name) ?? []
  const systemPrompt = (index: number) => f.model.chatRequests()[index]?.body.messages[0]?.content ?? ''

  it('appends the issue an edit causes to that edit’s result, which the model reads in the same turn', async () => {
    rules(QUERY_RULE)
    source('def main():\n    return 1\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const requestsBefore = f.model.chatRequests().length
    const run = await runTool(f, sessionId, 'edit_file', {
      path: 'src/app.py',
      old: '    return 1',
      new: '    print("debug")\n    return 1',
    })
    // The request right after the edit, in the same prompt, carries the issue in the edit's tool message.
    expect(f.model.chatRequests().length).toBe(requestsBefore + 2)
    expect(run.result).toBe(
      [
        'Edited src/app.py: 1 replacement',
        '',
        'Project rules found 1 issue in src/app.py; fix them:',
        'src/app.py:2:5: warning [no-print] print() of ("debug") left in the code. Fix: Use the logger.',
      ].join('\n'),
    )
    const fixed = await runTool(f, sessionId, 'edit_file', {
      path: 'src/app.py',
      old: '    print("debug")\n',
      new: '',
    })
    expect(fixed.result).toBe('Edited src/app.py: 1 replacement\n\nProject rules: no issues in src/app.py.')
    // A file the rule's globs do not cover is not checked.
    const other = await runTool(f, sessionId, 'write_file', { path: 'tools/x.py', content: 'print(1)\n' })
    expect(other.result).toBe('Created tools/x.py (9 bytes)')
  })

  it('passes the issues of an edit made from Code Mode on to the model, with the code’s output', async () => {
    rules(QUERY_RULE)
    source('def main():\n    return 1\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const run = await runTool(f, sessionId, 'execute_code', {
      code: 'edit_file(path="src/app.py", old="return 1", new="print(2)")\nprint("edited")',
    })
    expect(run.result.split('\n')).toEqual([
      'edited',
      '(1 tool call)',
      'Project rules found 1 issue in src/app.py; fix them:',
      'src/app.py:2:5: warning [no-print] print() of (2) left in the code. Fix: Use the logger.',
    ])
  })

  it('runs the tdom/svcs pack after an edit of an example component: the f-string it brings in is reported', async () => {
    const pack = resolve(import.meta.dirname, '../../examples/rules/tdom-svcs')
    mkdirSync(join(f.workspace, '.punie'), { recursive: true })
    cpSync(join(pack, 'rules.yaml'), join(f.workspace, '.punie', 'rules.yaml'))
    cpSync(join(pack, 'good'), join(f.workspace, 'components'), { recursive: true })
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const run = await runTool(f, sessionId, 'edit_file', {
      path: 'components/components.py',
      old: 'return html(t"<h1>{self.text}</h1>")',
      new: 'return html(f"<h1>{self.text}</h1>")',
    })
    expect(run.result.split('\n').slice(2)).toEqual([
      'Project rules found 1 issue in components/components.py; fix them:',
      'components/components.py:17:16: error [component-no-fstring-in-html] A component passes an f-string to html(); its values are not escaped. Fix: Use a t-string, html(t"..."), so that interpolated values are escaped.',
    ])
  })

  it('does not run a command rule in an untrusted project, says why, and runs it once the project is trusted', async () => {
    rules(QUERY_RULE + COMMAND_RULE)
    source('x = 1\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const untrusted = await runTool(f, sessionId, 'write_file', { path: 'src/app.py', content: 'x = 2\n' })
    expect(untrusted.result).toContain('command rules not run (custom-lint)')
    expect(untrusted.result).toContain(`punie trust ${f.workspace}`)
    expect(existsSync(join(f.workspace, 'ran.txt'))).toBe(false)

    expect(runTrust(f.workspace, {}, { PUNIE_HOME: f.home })).toMatch(/^Trusted /)
    const trusted = await runTool(f, sessionId, 'write_file', { path: 'src/app.py', content: 'x = 3\n' })
    expect(existsSync(join(f.workspace, 'ran.txt'))).toBe(true)
    expect(trusted.result).toContain('src/app.py:2:5: error [custom-lint/W7] too clever')
    expect(trusted.result).not.toContain('not run')
  })

  it('offers check_rules only in a project with rules, and returns typed issues from it', async () => {
    const bare = await f.session()
    f.model.enqueue({ text: 'hi' })
    await f.acp.prompt(bare, 'hello')
    expect(toolNames(0)).not.toContain('check_rules')
    expect(systemPrompt(0)).not.toContain('check_rules')

    rules(QUERY_RULE)
    source('print("a")\nprint("b")\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'check_rules', {})
    expect(systemPrompt(1)).toContain('- check_rules(')
    expect(run.result.split('\n')).toEqual([
      '2 issues in 1 file (rules of .punie/rules.yaml):',
      'src/app.py:1:1: warning [no-print] print() of ("a") left in the code. Fix: Use the logger.',
      'src/app.py:2:1: warning [no-print] print() of ("b") left in the code. Fix: Use the logger.',
    ])
    const completed = f.acp
      .updates(sessionId)
      .flatMap((u) =>
        u.sessionUpdate === 'tool_call_update' && u.status === 'completed' ? [u.rawOutput] : [],
      )
    expect((completed.at(-1) as { issues: unknown[] }).issues[0]).toEqual({
      rule: 'no-print',
      severity: 'warning',
      file: 'src/app.py',
      line: 1,
      column: 1,
      message: 'print() of ("a") left in the code.',
      suggestion: 'Use the logger.',
    })
  })

  it('reports a malformed rules file with file and line, and still runs the valid rules', async () => {
    rules(
      `${QUERY_RULE}  - id: broken\n    message: x\n    query: "(call (nosuch))"\n  - id: wrong\n    severity: fatal\n    message: y\n    query: "(call)"\n`,
    )
    source('print(1)\n')
    const sessionId = await f.session()
    const run = await runTool(f, sessionId, 'check_rules', {})
    expect(run.result).toContain('src/app.py:1:1: warning [no-print]')
    expect(run.result).toContain(
      '.punie/rules.yaml:9: rule "broken": query: invalid tree-sitter query at offset 7: Bad node name \'nosuch\'',
    )
    expect(run.result).toMatch(/\.punie\/rules\.yaml:13: rule 3, field "severity": /)
  })
})
