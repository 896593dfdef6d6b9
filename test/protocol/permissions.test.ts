import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode, statuses } from './tool-harness.js'

describe('permissions', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const ide = () => f.acp.ide as ScriptedIde

  it('asks before a write in ask mode, with the diff and all four options, and writes on allow_once', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('allow_once')
    const run = await runTool(f, sessionId, 'write_file', { path: 'a.txt', content: 'hello' })
    expect(run.result).toBe('Created a.txt (5 bytes)')
    const [request] = ide().permissionRequests
    expect(request?.options.map((o) => o.kind)).toEqual([
      'allow_once',
      'allow_always',
      'reject_once',
      'reject_always',
    ])
    expect(request?.toolCall).toMatchObject({
      title: 'Write a.txt',
      kind: 'edit',
      content: [{ type: 'diff', path: join(f.workspace, 'a.txt'), oldText: null, newText: 'hello' }],
    })
  })

  it('does not run a rejected call, and tells the model so', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'run_command', { command: 'touch ran.txt' })
    expect(run.result).toMatch(/^Error: the user rejected touch ran\.txt\nDo not retry/)
    expect(statuses(run)).toEqual(['pending', 'failed'])
    expect(existsSync(join(f.workspace, 'ran.txt'))).toBe(false)

    ide().answerPermissions('allow_once')
    await runTool(f, sessionId, 'run_command', { command: 'touch ran.txt' })
    expect(existsSync(join(f.workspace, 'ran.txt'))).toBe(true)
    expect(ide().permissionRequests).toHaveLength(2)
  })

  it('remembers allow_always for the command prefix across turns and after the agent restarts', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('allow_always')
    await runTool(f, sessionId, 'run_command', { command: 'echo one' })
    await runTool(f, sessionId, 'run_command', { command: 'echo two' })
    expect(ide().permissionRequests).toHaveLength(1)

    ide().answerPermissions('reject_once')
    const other = await runTool(f, sessionId, 'run_command', { command: 'ls' })
    expect(other.result).toMatch(/rejected/)
    expect(ide().permissionRequests).toHaveLength(2)

    await f.restart()
    await f.acp.loadSession(sessionId, f.workspace)
    const again = await runTool(f, sessionId, 'run_command', { command: 'echo three' })
    expect(again.result).toMatch(/exited with code 0\.\nthree/)
    expect(ide().permissionRequests).toHaveLength(0)
  })

  it('remembers reject_always for a path: the call is refused without asking', async () => {
    writeFileSync(join(f.workspace, 'config.py'), 'DEBUG = False\n')
    const sessionId = await f.session()
    ide().answerPermissions('reject_always')
    await runTool(f, sessionId, 'edit_file', { path: 'config.py', old: 'False', new: 'True' })
    const again = await runTool(f, sessionId, 'edit_file', { path: 'config.py', old: 'False', new: 'True' })
    expect(again.result).toMatch(/always rejects edit_file on config\.py/)
    expect(ide().permissionRequests).toHaveLength(1)
    expect(readFileSync(join(f.workspace, 'config.py'), 'utf8')).toBe('DEBUG = False\n')

    ide().answerPermissions('allow_once')
    await runTool(f, sessionId, 'write_file', { path: 'other.py', content: '' })
    expect(ide().permissionRequests).toHaveLength(2)
  })

  it('ends the turn as cancelled when the permission dialog is cancelled', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('cancelled')
    f.model.enqueue({ toolCalls: [{ name: 'run_command', arguments: { command: 'touch nope' } }] })
    const result = await f.acp.prompt(sessionId, 'do it')
    expect(result.stopReason).toBe('cancelled')
    expect(existsSync(join(f.workspace, 'nope'))).toBe(false)
    expect(f.model.chatRequests()).toHaveLength(1)

    f.model.enqueue({ text: 'ok, I will not' })
    expect((await f.acp.prompt(sessionId, 'never mind')).stopReason).toBe('end_turn')
  })

  it('lets edits through in accept-edits mode but still asks for commands', async () => {
    const sessionId = await f.session()
    await setMode(f, sessionId, 'accept-edits')
    await runTool(f, sessionId, 'write_file', { path: 'b.txt', content: 'b' })
    expect(existsSync(join(f.workspace, 'b.txt'))).toBe(true)
    expect(ide().permissionRequests).toHaveLength(0)
    ide().answerPermissions('reject_once')
    await runTool(f, sessionId, 'run_command', { command: 'echo hi' })
    expect(ide().permissionRequests).toHaveLength(1)
  })

  it('offers no writing tools in read-only mode, tells the model, and refuses a write anyway', async () => {
    const sessionId = await f.session()
    await f.acp.prompt(sessionId, '/mode read-only')
    const run = await runTool(f, sessionId, 'write_file', { path: 'c.txt', content: 'c' })
    expect(run.result).toMatch(/read-only mode: write_file may not run/)
    expect(existsSync(join(f.workspace, 'c.txt'))).toBe(false)
    expect(ide().permissionRequests).toHaveLength(0)
    const request = f.model.chatRequests()[0]
    const offered = request?.body.tools?.map((t) => t.function.name) ?? []
    expect(offered).toContain('read_file')
    expect(offered).not.toContain('write_file')
    expect(offered).not.toContain('run_command')
    expect(request?.body.messages[0]?.content).toContain('read-only')
  })

  it('asks nothing in yolo mode, and the mode survives a restart', async () => {
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    await runTool(f, sessionId, 'run_command', { command: 'echo free' })
    expect(ide().permissionRequests).toHaveLength(0)
    await f.restart()
    const loaded = await f.acp.loadSession(sessionId, f.workspace)
    expect(loaded.configOptions?.find((o) => o.id === 'mode')).toMatchObject({ currentValue: 'yolo' })
    await expect(setMode(f, sessionId, 'reckless')).rejects.toMatchObject({ code: -32602 })
  })

  it('shows a huge command bounded in the dialog, saying it was cut', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('reject_once')
    const run = await runTool(
      f,
      sessionId,
      'run_command',
      { command: `echo ${'y'.repeat(3_000_000)}` },
      { chunkSize: 1 << 20 },
    )
    expect(run.result).toMatch(/rejected/)
    const [request] = ide().permissionRequests
    const shown = JSON.stringify(request)
    expect(shown.length).toBeLessThanOrEqual(200_000)
    expect(request?.toolCall.title).toMatch(/… \[\d+ more characters\]$/)
  })
})
