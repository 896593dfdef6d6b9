// The first request stays small in every tool mode while every tool stays reachable: core tools as JSON tools,
// the rest listed in one line each, described by tool_help and called from code or through call_tool.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { methods, type SessionUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { builtinTools } from '../../src/tools/builtin/index.js'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

const BUDGET_BYTES = { both: 6000, direct: 6000, code: 4500 } as const

const setToolMode = (f: ReturnType<typeof useProtocolFixture>, sessionId: string, value: string) =>
  f.acp.agent.request(methods.agent.session.setConfigOption, { sessionId, configId: 'tool_mode', value })

const listedNames = (system: string) =>
  system
    .split('\n')
    .map((line) => /^- (\w+)\(/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)

describe('the first model request', () => {
  const f = useProtocolFixture()

  for (const mode of ['both', 'direct', 'code'] as const) {
    it(`fits ${BUDGET_BYTES[mode]} bytes in ${mode} mode, every tool reachable and described once`, async () => {
      const sessionId = await f.session()
      await setToolMode(f, sessionId, mode)
      f.model.enqueue({ text: 'hi' })
      await f.acp.prompt(sessionId, 'Reply with one short greeting.')
      const request = f.model.chatRequests()[0]
      expect(request?.bytes).toBeLessThanOrEqual(BUDGET_BYTES[mode])
      const json = request?.body.tools?.map((t) => t.function.name) ?? []
      const system = request?.body.messages[0]?.content ?? ''
      const listed = listedNames(system)
      expect(json.filter((name) => listed.includes(name))).toEqual([])
      // Tools for what a project may have (check_rules: a rules file) are absent from an empty workspace.
      for (const tool of builtinTools)
        if (tool.present) expect([...json, ...listed]).not.toContain(tool.name)
        else expect([...json, ...listed], tool.name).toContain(tool.name)
      expect(new Set(listed).size).toBe(listed.length)
      expect([...json, ...listed]).toContain('tool_help')
      if (mode === 'direct') expect(json).toContain('call_tool')
      else expect(json).toContain('execute_code')
      const raw = JSON.stringify(request?.body)
      expect(raw).not.toContain('9007199254740991')
      expect(raw).not.toContain('TypedDict')
    })
  }
})

describe('reaching a listed tool', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })

  it('runs it through call_tool in direct mode, as its own card, with its own result rendering', async () => {
    writeFileSync(join(f.workspace, 'notes.md'), '# notes\n')
    const sessionId = await f.session()
    await setToolMode(f, sessionId, 'direct')
    const run = await runTool(f, sessionId, 'call_tool', { name: 'list_dir', arguments: {} })
    expect(run.result).toContain('notes.md (8 B)')
    const nested = f.acp
      .updates(sessionId)
      .filter(
        (u): u is SessionUpdate & { sessionUpdate: 'tool_call'; title: string } =>
          u.sessionUpdate === 'tool_call',
      )
      .map((u) => u.title)
    expect(nested).toEqual(['Call list_dir', expect.stringMatching(/list|notes|\./i)])
  })

  it('keeps the permission flow for what call_tool calls, and says how to fix a bad call', async () => {
    const sessionId = await f.session()
    await setToolMode(f, sessionId, 'direct')
    f.acp.ide?.answerPermissions('reject_once')
    const rejected = await runTool(f, sessionId, 'call_tool', {
      name: 'write_file',
      arguments: { path: 'x.txt', content: 'x' },
    })
    expect(rejected.result).toMatch(/rejected/i)
    const bad = await runTool(f, sessionId, 'call_tool', { name: 'git_log', arguments: { n: 'five' } })
    expect(bad.result).toMatch(/invalid arguments for git_log.*tool_help/s)
    const unknown = await runTool(f, sessionId, 'call_tool', { name: 'git_blame', arguments: {} })
    expect(unknown.result).toMatch(/unknown tool "git_blame"/)
  })

  it('describes tools with tool_help: JSON parameters in direct mode, the result shape, similar names', async () => {
    const sessionId = await f.session()
    await setToolMode(f, sessionId, 'direct')
    const help = await runTool(f, sessionId, 'tool_help', { names: ['git_log', 'symbols'] })
    expect(help.result).toContain('git_log parameters: {"type":"object","properties":{"n":')
    expect(help.result).toContain('class GitLogResultCommitsItem(TypedDict):')
    expect(help.result).toContain('Recent commits: hash, author, date and subject.')
    expect(help.result).toContain('No tool named symbols; similar: document_symbols, workspace_symbols.')
    const all = await runTool(f, sessionId, 'tool_help', {})
    for (const tool of builtinTools.filter((t) => !t.present)) expect(all.result).toContain(`${tool.name}(`)
  })

  it('runs a listed tool called by its name even though it was not offered as a JSON tool', async () => {
    writeFileSync(join(f.workspace, 'a.py'), 'x = 1\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const run = await runTool(f, sessionId, 'list_dir', {})
    expect(run.result).toContain('a.py')
  })
})
