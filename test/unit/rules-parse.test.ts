// The pure parts of project rules: the rules file's schema with lines, command lines, and output parsing.
import { describe, expect, it } from 'vitest'
import { commandLines, parseJsonOutput, parseRegexOutput, toIssue } from '../../src/rules/command-rules.js'
import { type CommandRule, parseRulesFile } from '../../src/rules/schema.js'

const commandRule = (fields: Partial<CommandRule> = {}): CommandRule => ({
  kind: 'command',
  line: 1,
  id: 'lint',
  severity: 'warning',
  command: ['lint', '{files}'],
  parse: { regex: '^(?<file>[^:]+):(?<line>\\d+): (?<message>.+)$' },
  timeout_ms: 1000,
  ...fields,
})

describe('the rules file', () => {
  it('reads query and command rules, with defaults', () => {
    const { rules, problems } = parseRulesFile(
      'rules:\n  - id: q\n    message: m\n    query: "(call) @match"\n  - id: c\n    command: [ruff, check]\n    parse: { json: { file: filename, message: message } }\n',
      'rules.yaml',
    )
    expect(problems).toEqual([])
    expect(rules.map((r) => [r.id, r.kind, r.severity, r.line])).toEqual([
      ['q', 'query', 'error', 2],
      ['c', 'command', 'error', 5],
    ])
  })

  it('places each problem at its line, skips the bad rule and keeps the others', () => {
    const { rules, problems } = parseRulesFile(
      [
        'rules:',
        '  - id: ok',
        '    message: m',
        '    query: "(call)"',
        '  - id: no-message',
        '    query: "(call)"',
        '  - id: ok',
        '    message: twice',
        '    query: "(call)"',
        '  - id: c',
        '    command: "ruff check"',
        '    parse: { regex: x }',
        '    shell: true',
        '',
      ].join('\n'),
      'rules.yaml',
    )
    expect(rules.map((r) => r.id)).toEqual(['ok'])
    expect(problems).toEqual([
      {
        file: 'rules.yaml',
        line: 5,
        message: 'rule 2, field "message": expected string, received undefined',
      },
      { file: 'rules.yaml', line: 7, message: 'rule "ok" is defined twice' },
      { file: 'rules.yaml', line: 11, message: 'rule 4, field "command": expected array, received string' },
      { file: 'rules.yaml', line: 13, message: 'rule 4, unknown field "shell"' },
    ])
  })

  it('says where YAML that does not parse goes wrong', () => {
    const { problems } = parseRulesFile('rules:\n  - id: a\n    query: [\n', 'rules.yaml')
    expect(problems[0]).toMatchObject({
      file: 'rules.yaml',
      message: expect.stringMatching(/^not valid YAML/),
    })
    expect(problems[0]?.line).toBeGreaterThanOrEqual(3)
  })
})

describe('command lines', () => {
  it('puts the files in as words of their own, never as options, in batches', () => {
    const files = ['/p/a.py', '/p/-rf.py', ...Array.from({ length: 250 }, (_, i) => `/p/f${i}.py`)]
    const lines = commandLines(commandRule(), '/p', files)
    expect(lines).toHaveLength(2)
    expect(lines[0]?.slice(0, 3)).toEqual(['lint', 'a.py', './-rf.py'])
    expect(lines.flat().filter((w) => w !== 'lint')).toHaveLength(252)
    expect(
      commandLines(commandRule({ command: ['lint', '--file={file}'] }), '/p', files.slice(0, 2)),
    ).toEqual([
      ['lint', '--file=a.py'],
      ['lint', '--file=./-rf.py'],
    ])
    expect(commandLines(commandRule({ command: ['lint', '.'] }), '/p', files)).toEqual([['lint', '.']])
  })
})

describe('command output', () => {
  it('reads lines with named groups, skipping the others', () => {
    expect(
      parseRegexOutput(
        '^(?<file>[^:]+):(?<line>\\d+): (?<message>.+)$',
        'a.py:3: bad\nsummary\nb.py:x: no\n',
      ),
    ).toEqual([{ file: 'a.py', line: 3, message: 'bad' }])
  })

  it('reads JSON items by dotted paths', () => {
    const output = JSON.stringify({
      results: [{ filename: 'a.py', location: { row: 2, column: 4 }, code: 'E1', message: 'm', fix: null }],
    })
    expect(
      parseJsonOutput(
        {
          items: 'results',
          file: 'filename',
          line: 'location.row',
          column: 'location.column',
          message: 'message',
          rule: 'code',
          suggestion: 'fix',
        },
        output,
      ),
    ).toEqual([{ file: 'a.py', line: 2, column: 4, message: 'm', rule: 'E1' }])
    expect(() => parseJsonOutput({ items: 'nope', file: 'f', message: 'm' }, output)).toThrow(
      /no list at "nope"/,
    )
    expect(parseJsonOutput({ file: 'f', message: 'm' }, '  ')).toEqual([])
  })

  it('makes typed issues: the rule id with the tool’s code, its severity unless the output names one', () => {
    const display = (p: string) => p.replace('/p/', '')
    expect(
      toIssue(commandRule(), { file: 'a.py', line: 1, message: 'm', rule: 'E1' }, '/p', display),
    ).toEqual({
      rule: 'lint/E1',
      severity: 'warning',
      file: 'a.py',
      line: 1,
      message: 'm',
    })
    expect(
      toIssue(
        commandRule({ message: '{message} (see {rule})' }),
        { file: '/p/b.py', message: 'm', rule: 'E2', severity: 'ERROR' },
        '/p',
        display,
      ),
    ).toMatchObject({ file: 'b.py', severity: 'error', message: 'm (see E2)' })
    expect(toIssue(commandRule(), { message: 'no file' }, '/p', display)).toBeUndefined()
  })
})

describe('regular expressions from queries and rules files', () => {
  it('refuses the shapes that take exponential time, and keeps ordinary ones', async () => {
    const { unsafeRegexReason } = await import('../../src/devtools/regex-safety.js')
    for (const bad of ['(a+)+$', '^(\\w*x)*$', '((ab)*c)+', '(a|b)\\1', '(x{2,})*'])
      expect(unsafeRegexReason(bad), bad).toBeDefined()
    for (const good of [
      '^[rRbBuU]*["\']/',
      'context\\s*=',
      '\\{[^}]*(\\{|$)|(^|\\})[^{]*\\}',
      '(Middleware|Service)$',
      '[(a+)+]',
    ])
      expect(unsafeRegexReason(good), good).toBeUndefined()
  })

  it('makes a query with such a #match? an invalid query, at the predicate', async () => {
    const { loadPython, SyntaxQueryError } = await import('../../src/devtools/python-syntax.js')
    const syntax = await loadPython()
    const query = '((identifier) @x (#match? @x "(a+)+$"))'
    expect(() => syntax.compile(query)).toThrow(SyntaxQueryError)
    expect(() => syntax.compile(query)).toThrow(
      /at offset 18: the regex "\(a\+\)\+\$" may take exponential time/,
    )
    expect(() => parseRegexOutput('^(a+)+$', 'aaaa')).toThrow(/exponential/)
  })
})
