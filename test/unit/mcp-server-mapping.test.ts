// The pure mapping of `punie mcp`: tool definitions → MCP tools, permission requests → elicitations, outcomes →
// results, events → progress messages.
import { describe, expect, it } from 'vitest'
import {
  canElicitForm,
  cannotAskMessage,
  elicitationFor,
  outcomeOf,
  permissionMessage,
} from '../../src/mcp/server/permission.js'
import { ProgressReporter, progressMessage } from '../../src/mcp/server/progress.js'
import { callResult, fitStructured } from '../../src/mcp/server/results.js'
import { annotationsOf, listedTools, mcpToolOf, servedTools } from '../../src/mcp/server/tools.js'
import type { PermissionRequest } from '../../src/session/ports.js'
import { builtinTools } from '../../src/tools/builtin/index.js'
import type { Tool } from '../../src/tools/define.js'
import { toModelSchema } from '../../src/tools/registry.js'

const tool = (name: string): Tool => {
  const found = builtinTools.find((t) => t.name === name)
  if (!found) throw new Error(`no tool ${name}`)
  return found
}

describe('tools as MCP lists them', () => {
  it('each tool keeps its name, description and the input schema the model sees', () => {
    for (const t of servedTools(builtinTools).tools) {
      const listed = mcpToolOf(t)
      expect(listed.name).toBe(t.name)
      expect(listed.description).toBe(t.description)
      expect(listed.inputSchema).toEqual(toModelSchema(t).parameters)
      expect(listed.inputSchema.type).toBe('object')
    }
  })

  it('the output schema is the typed result of the tool, and a result of the tool matches it', () => {
    const schema = mcpToolOf(tool('read_file')).outputSchema
    expect(schema?.type).toBe('object')
    expect(schema?.required).toEqual(['path', 'content', 'startLine', 'endLine', 'totalLines', 'truncated'])
    expect(Object.keys(schema?.properties ?? {})).toContain('lineBytes')
    const grep = mcpToolOf(tool('grep')).outputSchema
    expect(Object.keys(grep?.properties ?? {})).toEqual(['matches', 'truncated', 'filesSearched', 'tooLarge'])
  })

  it('hints come from kind and permission: reads are read-only, edits and commands destructive', () => {
    expect(annotationsOf(tool('read_file'))).toEqual({
      readOnlyHint: true,
      destructiveHint: false,
      openWorldHint: false,
    })
    expect(annotationsOf(tool('grep')).readOnlyHint).toBe(true)
    expect(annotationsOf(tool('write_file'))).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    })
    expect(annotationsOf(tool('run_command'))).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    })
    // lint reads, but writes its fixes when asked to: not read-only.
    expect(annotationsOf(tool('lint')).readOnlyHint).toBe(false)
  })

  it('serves every built-in tool but the plan, narrows to --only, and names unknown ones', () => {
    const all = servedTools(builtinTools)
    expect(all.tools.map((t) => t.name)).toEqual(
      builtinTools.map((t) => t.name).filter((name) => name !== 'plan'),
    )
    const some = servedTools(builtinTools, ['grep', 'read_file', 'nope', 'plan'])
    expect(some.tools.map((t) => t.name)).toEqual(['read_file', 'grep'])
    expect(some.unknown).toEqual(['nope', 'plan'])
  })

  it('read-only mode lists no tool that writes or runs commands', () => {
    const names = listedTools(servedTools(builtinTools).tools, 'read-only').map((t) => t.name)
    expect(names).toContain('read_file')
    expect(names).toContain('git_diff')
    for (const hidden of ['write_file', 'edit_file', 'run_command', 'format', 'rename_symbol'])
      expect(names).not.toContain(hidden)
    expect(listedTools(builtinTools, 'ask')).toHaveLength(builtinTools.length)
  })
})

const writeRequest: PermissionRequest = {
  toolCallId: 'c1',
  toolName: 'write_file',
  title: 'Write notes.txt',
  kind: 'edit',
  input: { path: 'notes.txt', content: 'one\nthree\n' },
  locations: [{ path: 'notes.txt' }],
  content: [{ type: 'diff', path: '/ws/notes.txt', oldText: 'one\ntwo\n', newText: 'one\nthree\n' }],
}
const display = (path: string) => path.replace('/ws/', '')

describe('permission requests as elicitations', () => {
  it('an edit says which file and shows its diff, with paths relative to the workspace', () => {
    const message = permissionMessage(writeRequest, display)
    expect(message.split('\n')).toEqual([
      "Allow Punie's write_file: Write notes.txt?",
      '',
      '--- notes.txt',
      '+++ notes.txt',
      '@@ -1,2 +1,2 @@',
      ' one',
      '-two',
      '+three',
    ])
  })

  it('a command says the command and its arguments', () => {
    const message = permissionMessage(
      {
        ...writeRequest,
        toolName: 'run_command',
        title: 'npm test',
        kind: 'execute',
        input: { command: 'npm test', cwd: 'pkg' },
        content: [],
      },
      display,
    )
    expect(message).toBe(
      'Allow Punie\'s run_command: npm test?\n\nArguments: {"command":"npm test","cwd":"pkg"}',
    )
  })

  it('a huge write is shown in a bounded message', () => {
    const big = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n')
    const message = permissionMessage(
      { ...writeRequest, content: [{ type: 'diff', path: '/ws/big.txt', oldText: null, newText: big }] },
      display,
    )
    expect(message.length).toBeLessThanOrEqual(8100)
    expect(message).toContain('+++ big.txt (new file)')
    expect(message).toMatch(/more diff lines/)
  })

  it('offers "always" only where the policy would remember it', () => {
    expect(elicitationFor(writeRequest, display).requestedSchema.properties).toHaveProperty('always')
    expect(
      elicitationFor({ ...writeRequest, allowAlways: false }, display).requestedSchema.properties,
    ).toEqual({})
  })

  it('accept allows, once or always; decline and cancel refuse', () => {
    expect(outcomeOf({ action: 'accept', content: {} })).toBe('allow_once')
    expect(outcomeOf({ action: 'accept' })).toBe('allow_once')
    expect(outcomeOf({ action: 'accept', content: { always: true } })).toBe('allow_always')
    expect(outcomeOf({ action: 'decline' })).toBe('reject_once')
    expect(outcomeOf({ action: 'cancel' })).toBe('reject_once')
  })

  it('a form can be shown when the client names form mode, or names no mode (older clients)', () => {
    expect(canElicitForm(undefined)).toBe(false)
    expect(canElicitForm({})).toBe(false)
    expect(canElicitForm({ elicitation: {} })).toBe(true)
    expect(canElicitForm({ elicitation: { form: {} } })).toBe(true)
    expect(canElicitForm({ elicitation: { url: {} } })).toBe(false)
    expect(canElicitForm({ elicitation: { form: {}, url: {} } })).toBe(true)
  })

  it('a refusal without elicitation names the tool, the reason and the ways out', () => {
    const message = cannotAskMessage(writeRequest)
    expect(message).toContain('write_file needs the user')
    expect(message).toContain('elicitation')
    expect(message).toContain('--mode accept-edits')
  })
})

describe('outcomes as MCP results', () => {
  const reply = (content: string) => ({ role: 'tool' as const, toolCallId: 'c', content })

  it('a failure is an error result carrying the message the model would read', () => {
    const result = callResult(
      {
        message: reply('Error: no such file: x\nCheck the path'),
        valid: true,
        failure: { kind: 'not_found', message: 'no such file: x' },
      },
      1000,
    )
    expect(result).toEqual({
      content: [{ type: 'text', text: 'Error: no such file: x\nCheck the path' }],
      isError: true,
    })
  })

  it('a result carries its text and its typed value', () => {
    const output = { path: 'a', created: true, bytes: 3 }
    expect(callResult({ message: reply('Created a'), valid: true, output }, 1000)).toEqual({
      content: [{ type: 'text', text: 'Created a' }],
      structuredContent: output,
    })
  })

  it('a large typed value is cut to its budget and still matches the tool output schema', () => {
    const readFile = tool('read_file')
    const output = {
      path: 'big.txt',
      content: 'y'.repeat(100_000),
      startLine: 1,
      endLine: 1,
      totalLines: 1,
      truncated: false,
    }
    const result = callResult({ message: reply('…'), valid: true, output }, 4096)
    expect(JSON.stringify(result.structuredContent).length).toBeLessThanOrEqual(2 * 4096 + 100)
    expect(readFile.output.safeParse(result.structuredContent).success).toBe(true)
    expect(result._meta).toEqual({ 'punie/cut': true })

    const grep = tool('grep')
    const matches = Array.from({ length: 500 }, (_, i) => ({
      path: `f${i}.py`,
      line: i + 1,
      text: 'x'.repeat(80),
    }))
    const cut = fitStructured(
      { matches, truncated: true, filesSearched: 500, tooLarge: { count: 0, paths: [] } },
      3000,
    )
    expect(cut.cut).toBe(true)
    expect(JSON.stringify(cut.value).length).toBeLessThanOrEqual(3200)
    expect(grep.output.safeParse(cut.value).success).toBe(true)
    expect((cut.value as { matches: unknown[] }).matches.length).toBeLessThanOrEqual(499)
  })

  it('escapes count: a string of newlines or control characters stays within its budget', () => {
    for (const text of ['\n'.repeat(10_000), '\u0001'.repeat(10_000), `"${'\\'.repeat(5000)}`]) {
      const cut = fitStructured({ output: text }, 1000)
      expect(cut.cut).toBe(true)
      expect(JSON.stringify(cut.value).length).toBeLessThanOrEqual(1000)
    }
    expect(fitStructured({ output: 'x'.repeat(10) }, 5)).toEqual({
      value: { output: '… [10 more characters]' },
      cut: true,
    })
  })

  it('a small value is kept whole', () => {
    const value = { a: [1, 2, { b: 'c' }], d: null }
    expect(fitStructured(value, 1000)).toEqual({ value, cut: false })
  })
})

describe('progress messages', () => {
  it('the start, a waiting permission, running and a tool message each say something', () => {
    const start = {
      type: 'tool.start' as const,
      turnId: 't',
      toolCallId: 'c',
      name: 'run_command',
      kind: 'execute' as const,
      title: 'npm test',
      locations: [],
      input: {},
      content: [],
      backend: 'local' as const,
    }
    expect(progressMessage(start, '')).toBe('Started npm test')
    expect(
      progressMessage(
        { type: 'permission.request', turnId: 't', toolCallId: 'c', title: 'npm test', scope: '*' },
        'npm test',
      ),
    ).toBe('Waiting for permission: npm test')
    expect(
      progressMessage(
        { type: 'tool.update', turnId: 't', toolCallId: 'c', status: 'in_progress' },
        'npm test',
      ),
    ).toBe('Running npm test')
    expect(
      progressMessage(
        {
          type: 'tool.update',
          turnId: 't',
          toolCallId: 'c',
          content: [{ type: 'text', text: 'Starting the python language server…' }],
        },
        'hover',
      ),
    ).toBe('Starting the python language server…')
    expect(
      progressMessage({ type: 'tool.update', turnId: 't', toolCallId: 'c', content: [] }, 'x'),
    ).toBeUndefined()
  })
})

describe('the progress beat', () => {
  it('counts up on events and beats, says the call still runs, and stops when told', async () => {
    const sent: { progress: number; message: string }[] = []
    const reporter = new ProgressReporter(
      { send: async (progress, message) => void sent.push({ progress, message }) },
      10,
    )
    reporter.onEvent({ type: 'tool.update', turnId: 't', toolCallId: 'c', status: 'in_progress' })
    const until = Date.now() + 5000
    while (sent.length < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5))
    reporter.stop()
    const count = sent.length
    expect(count).toBeGreaterThanOrEqual(3)
    expect(sent.map((s) => s.progress)).toEqual(sent.map((_, i) => i + 1))
    expect(sent[1]?.message).toMatch(/^The call is still running \(\d+ s\)$/)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(sent).toHaveLength(count)
  })
})
