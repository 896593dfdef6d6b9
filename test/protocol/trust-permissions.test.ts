// The holes in the permission boundary stay closed: writes that change how tools behave always ask, and
// "always allow" covers only the command the user saw.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

describe('sensitive writes', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const ide = () => f.acp.ide as ScriptedIde
  const gitConfig = () => join(f.workspace, '.git', 'config')

  it('asks before write_file .git/config in accept-edits mode, and a rejection leaves the file unchanged', async () => {
    mkdirSync(join(f.workspace, '.git'))
    writeFileSync(gitConfig(), '[core]\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'accept-edits')
    ide().answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'write_file', {
      path: '.git/config',
      content: '[core]\n\tfsmonitor = touch planted\n',
    })
    expect(ide().permissionRequests).toHaveLength(1)
    expect(run.result).toMatch(/the user rejected/)
    expect(readFileSync(gitConfig(), 'utf8')).toBe('[core]\n')
  })

  it('asks again for a sensitive path written another way, and offers no "always allow" for it', async () => {
    mkdirSync(join(f.workspace, '.git'))
    mkdirSync(join(f.workspace, 'src'))
    const sessionId = await f.session()
    await setMode(f, sessionId, 'accept-edits')
    ide().answerPermissions('allow_once', 'reject_once', 'reject_once', 'reject_once')
    await runTool(f, sessionId, 'write_file', { path: '.git/config', content: 'a' })
    await runTool(f, sessionId, 'write_file', { path: '.git/config', content: 'b' })
    await runTool(f, sessionId, 'write_file', { path: './src/../.GIT/config', content: 'c' })
    await runTool(f, sessionId, 'edit_file', { path: 'src/../.git/config', old: 'a', new: 'd' })
    expect(ide().permissionRequests).toHaveLength(4)
    expect(ide().permissionRequests[0]?.options.map((o) => o.kind)).toEqual([
      'allow_once',
      'reject_once',
      'reject_always',
    ])
    expect(readFileSync(gitConfig(), 'utf8')).toBe('a')
    await runTool(f, sessionId, 'write_file', { path: 'src/ok.py', content: '' })
    expect(ide().permissionRequests).toHaveLength(4)
  })

  it('asks for .punie/ and a nested .gitattributes in accept-edits mode', async () => {
    const sessionId = await f.session()
    await setMode(f, sessionId, 'accept-edits')
    await runTool(f, sessionId, 'write_file', { path: '.punie/config.json', content: '{}' })
    await runTool(f, sessionId, 'write_file', { path: 'pkg/.gitattributes', content: '* diff=x' })
    expect(ide().permissionRequests).toHaveLength(2)
    expect(existsSync(join(f.workspace, '.punie', 'config.json'))).toBe(false)
    expect(existsSync(join(f.workspace, 'pkg', '.gitattributes'))).toBe(false)
  })

  it('asks for a write that reaches .git/ through a symlink', async () => {
    mkdirSync(join(f.workspace, '.git'))
    symlinkSync('.git', join(f.workspace, 'innocent'))
    const sessionId = await f.session()
    await setMode(f, sessionId, 'accept-edits')
    await runTool(f, sessionId, 'write_file', {
      path: 'innocent/hooks/pre-commit',
      content: 'touch X',
    })
    expect(ide().permissionRequests).toHaveLength(1)
    expect(existsSync(join(f.workspace, '.git', 'hooks', 'pre-commit'))).toBe(false)
  })

  it('refuses write_file .git/config in read-only mode without asking', async () => {
    mkdirSync(join(f.workspace, '.git'))
    writeFileSync(gitConfig(), '[core]\n')
    const sessionId = await f.session()
    await setMode(f, sessionId, 'read-only')
    const run = await runTool(f, sessionId, 'write_file', { path: '.git/config', content: 'x' })
    expect(run.result).toMatch(/read-only/)
    expect(ide().permissionRequests).toHaveLength(0)
    expect(readFileSync(gitConfig(), 'utf8')).toBe('[core]\n')
  })
})

describe('command grants', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })
  const ide = () => f.acp.ide as ScriptedIde

  it('asks for "ls && touch X" after "always allow" on ls, and a rejection does not create X', async () => {
    const sessionId = await f.session()
    ide().answerPermissions('allow_always')
    await runTool(f, sessionId, 'run_command', { command: 'ls' })
    await runTool(f, sessionId, 'run_command', { command: 'ls -la' })
    expect(ide().permissionRequests).toHaveLength(1)

    ide().answerPermissions('reject_once')
    const run = await runTool(f, sessionId, 'run_command', { command: 'ls && touch X' })
    expect(ide().permissionRequests).toHaveLength(2)
    expect(ide().permissionRequests[1]?.options.map((o) => o.kind)).not.toContain('allow_always')
    expect(run.result).toMatch(/the user rejected/)
    expect(existsSync(join(f.workspace, 'X'))).toBe(false)
  })

  it('asks for a granted program that names .git/ or runs in it', async () => {
    mkdirSync(join(f.workspace, '.git'))
    const sessionId = await f.session()
    ide().answerPermissions('allow_always')
    await runTool(f, sessionId, 'run_command', { command: 'touch a' })
    await runTool(f, sessionId, 'run_command', { command: 'touch b' })
    expect(ide().permissionRequests).toHaveLength(1)
    await runTool(f, sessionId, 'run_command', { command: 'touch .git/planted' })
    await runTool(f, sessionId, 'run_command', { command: 'touch planted', cwd: '.git' })
    expect(ide().permissionRequests).toHaveLength(3)
    expect(existsSync(join(f.workspace, '.git', 'planted'))).toBe(false)
  })

  it('asks for a granted program that reaches .git/ through a symlink, a glob or an attached option value', async () => {
    mkdirSync(join(f.workspace, '.git', 'hooks'), { recursive: true })
    symlinkSync('.git', join(f.workspace, 'innocent'))
    writeFileSync(join(f.workspace, 'a'), 'payload')
    const sessionId = await f.session()
    ide().answerPermissions('allow_always', 'allow_always', 'allow_always')
    await runTool(f, sessionId, 'run_command', { command: 'touch b' })
    await runTool(f, sessionId, 'run_command', { command: 'sort -o c a' })
    await runTool(f, sessionId, 'run_command', { command: 'cp a d' })
    expect(ide().permissionRequests).toHaveLength(3)
    const tries = [
      { command: 'touch innocent/p1' },
      { command: 'touch hooks/p2', cwd: 'innocent' },
      { command: 'sort -o.git/p3 a' },
      { command: 'cp a .gi?/hooks' },
      { command: 'cp a .g*/p4' },
    ]
    ide().answerPermissions(...tries.map(() => 'reject_once' as const))
    for (const input of tries) await runTool(f, sessionId, 'run_command', input)
    expect(ide().permissionRequests).toHaveLength(3 + tries.length)
    expect(readdirSync(join(f.workspace, '.git')).sort()).toEqual(['hooks'])
    expect(readdirSync(join(f.workspace, '.git', 'hooks'))).toEqual([])
    await runTool(f, sessionId, 'run_command', { command: 'touch e' })
    expect(ide().permissionRequests).toHaveLength(3 + tries.length)
  })

  it('refuses a program the user always rejects, written another way or inside a compound line', async () => {
    writeFileSync(join(f.workspace, 'deploy'), '#!/bin/sh\ntouch deployed\n', { mode: 0o755 })
    const sessionId = await f.session()
    ide().answerPermissions('reject_always')
    await runTool(f, sessionId, 'run_command', { command: 'deploy --prod' })
    for (const command of [
      `./deploy`,
      `${join(f.workspace, 'deploy')} now`,
      'ls; ./deploy',
      'echo $(deploy)',
    ]) {
      const run = await runTool(f, sessionId, 'run_command', { command })
      expect(run.result, command).toMatch(/always rejects/)
    }
    expect(ide().permissionRequests).toHaveLength(1)
    expect(existsSync(join(f.workspace, 'deployed'))).toBe(false)
  })
})
