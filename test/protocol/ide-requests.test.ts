// Requests the agent sends to the IDE: terminals whose output leaves the exit status out, and a client that never
// answers a file read.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'
import { runTool, setMode } from './tool-harness.js'

describe('requests to the IDE', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde() })

  it('takes the exit code from terminal/wait_for_exit when terminal/output has no exitStatus', async () => {
    const ide = new ScriptedIde()
    ide.omitExitStatus = true
    await f.restart({ ide })
    const sessionId = await f.session()
    await setMode(f, sessionId, 'yolo')
    const ok = await runTool(f, sessionId, 'run_command', { command: 'echo fine' })
    expect(ok.result).toMatch(/^The command exited with code 0\.\nfine/)
    const failed = await runTool(f, sessionId, 'run_command', { command: 'exit 4' })
    expect(failed.result).toMatch(/^The command exited with code 4\./)
  })

  it('fails a file read the IDE never answers, after the configured deadline, with an error saying so', async () => {
    f.writeConfig({ clientRequestTimeoutMs: 300 })
    const ide = new ScriptedIde()
    ide.neverAnswers.add('fs/read_text_file')
    await f.restart({ ide })
    writeFileSync(join(f.workspace, 'main.py'), 'print("hi")\n')
    const sessionId = await f.session()
    const read = await runTool(f, sessionId, 'read_file', { path: 'main.py' })
    expect(read.stopReason).toBe('end_turn')
    expect(read.result).toMatch(
      /^Error: the IDE could not read main\.py: the client did not answer fs\/read_text_file within 0\.3 s/,
    )
    expect(ide.reads).toHaveLength(1)
  })
})
