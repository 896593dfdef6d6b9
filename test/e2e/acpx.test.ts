// acpx 0.1.15 (a headless ACP CLI client nobody here wrote) drives `punie` end to end: every acpx call starts
// Punie, loads the session with session/load, and does one thing. acpx has no model command of its own: it
// switches the model with `set model <spec>` (session/set_config_option); session/set_model is covered with
// acp-factory and the SDK client. `acpx sessions` lists acpx's own records, not session/list.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { agentTextIn, answerTo, frames, updatesIn, useClientWorld } from '../helpers/acp-clients.js'

const writeCall = (path: string) => ({
  toolCalls: [{ name: 'write_file', arguments: { path, content: '# notes\n' } }],
})

describe('acpx drives punie', () => {
  const w = useClientWorld('acpx')
  const second = () => `${w.model.baseURL}/second-model`

  const newSession = async () => {
    const made = await w.acpx(['sessions', 'new'])
    expect(made.code).toBe(0)
    const id = made.stdout.trim().split('\n')[0] ?? ''
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    return id
  }

  it('prompts, loading the session on each call with modes and models beside config options', async () => {
    const id = await newSession()
    w.model.enqueue({ text: 'Hello from Punie.' })
    const ran = await w.acpx(['--format', 'json', 'prompt', 'hello'])
    expect(ran.code).toBe(0)
    const all = frames(ran.stdout)
    const loaded = answerTo(all, 'session/load')?.result as Record<string, never>
    expect(loaded.modes).toMatchObject({ currentModeId: 'ask' })
    expect(loaded.models).toMatchObject({ currentModelId: w.model.spec })
    expect(answerTo(all, 'session/prompt')?.result).toEqual({ stopReason: 'end_turn' })
    expect(agentTextIn(all)).toBe('Hello from Punie.')

    const listed = await w.acpx(['sessions', 'list'])
    expect(listed.stdout).toContain(id)
  })

  it('shows a failed turn as an error, not an answer, and the next prompt works', async () => {
    await newSession()
    w.model.enqueue({ kind: 'http-error', status: 500, body: '{"error":{"message":"CUDA out of memory"}}' })
    const failed = await w.acpx(['--format', 'json', 'prompt', 'hello'])
    expect(failed.code).not.toBe(0)
    const all = frames(failed.stdout)
    expect(answerTo(all, 'session/prompt')?.error).toMatchObject({
      code: -32603,
      message: expect.stringMatching(/CUDA out of memory/),
    })
    expect(agentTextIn(all)).toMatch(/⚠ .*CUDA out of memory/)

    w.model.enqueue({ text: 'Back.' })
    const next = await w.acpx(['--format', 'json', 'prompt', 'again'])
    expect(next.code).toBe(0)
    expect(agentTextIn(frames(next.stdout))).toBe('Back.')
  })

  it('asks permission for a write: --approve-all writes it, --deny-all does not', async () => {
    await newSession()
    w.model.enqueue(writeCall('notes.md'), { text: 'Written.' })
    const approved = await w.acpx(['--approve-all', '--format', 'json', 'prompt', 'write notes'])
    expect(approved.code).toBe(0)
    expect(readFileSync(join(w.workspace, 'notes.md'), 'utf8')).toBe('# notes\n')
    const all = frames(approved.stdout)
    const asked = all.find((f) => f.method === 'session/request_permission')
    expect(asked?.params?.toolCall).toMatchObject({ locations: [{ path: join(w.workspace, 'notes.md') }] })
    expect(answerTo(all, 'session/request_permission')?.result).toEqual({
      outcome: { outcome: 'selected', optionId: 'allow_once' },
    })
    expect(updatesIn(all)).toContainEqual(
      expect.objectContaining({ sessionUpdate: 'tool_call_update', status: 'completed' }),
    )

    w.model.enqueue(writeCall('other.md'), { text: 'Not written.' })
    const denied = await w.acpx(['--deny-all', '--format', 'json', 'prompt', 'write other notes'])
    // acpx's own exit code for "a permission was denied".
    expect(denied.code).toBe(5)
    expect(existsSync(join(w.workspace, 'other.md'))).toBe(false)
    const deniedFrames = frames(denied.stdout)
    expect(updatesIn(deniedFrames)).toContainEqual(
      expect.objectContaining({ sessionUpdate: 'tool_call_update', status: 'failed' }),
    )
    expect(answerTo(deniedFrames, 'session/prompt')?.result).toEqual({ stopReason: 'end_turn' })
    // The model heard of the rejection.
    const toolResults = w.model.chatRequests()[3]?.body.messages.filter((m) => m.role === 'tool')
    const toolResult = toolResults?.[toolResults.length - 1]?.content
    expect(toolResult).toMatch(/rejected/)
  })

  it('cancels a running prompt with acpx cancel; the next prompt works', async () => {
    await newSession()
    w.model.enqueue({ text: 'slow '.repeat(400), chunkSize: 5, delayMs: 20 }, { text: 'Quick now.' })
    let started = false
    const running = w.acpx(['--format', 'json', 'prompt', 'take your time'], {
      onStart: (child) =>
        child.stdout?.on('data', (d: Buffer) => {
          if (d.toString().includes('agent_message_chunk')) started = true
        }),
    })
    for (let i = 0; i < 200 && !started; i++) await new Promise((r) => setTimeout(r, 50))
    expect(started).toBe(true)
    const cancelled = await w.acpx(['cancel'])
    expect(cancelled.code).toBe(0)
    const ran = await running
    const all = frames(ran.stdout)
    expect(all.some((f) => f.method === 'session/cancel')).toBe(true)
    expect(answerTo(all, 'session/prompt')?.result).toEqual({ stopReason: 'cancelled' })
    expect(agentTextIn(all).length).toBeLessThanOrEqual('slow '.repeat(400).length - 1)

    const next = await w.acpx(['--format', 'json', 'prompt', 'again'])
    expect(agentTextIn(frames(next.stdout))).toBe('Quick now.')
  })

  it('switches the mode with set-mode, and the model with set model and back', async () => {
    await newSession()
    const mode = await w.acpx(['--format', 'json', 'set-mode', 'read-only'])
    expect(mode.code).toBe(0)
    expect(JSON.parse(mode.stdout)).toMatchObject({ action: 'mode_set', modeId: 'read-only' })

    const away = await w.acpx(['--format', 'json', 'set', 'model', second()])
    expect(away.code).toBe(0)
    const awayOptions = JSON.parse(away.stdout).configOptions as {
      id: string
      options: { value: string }[]
    }[]
    // The model the session started with is still offered after the switch.
    expect(awayOptions.find((o) => o.id === 'model')?.options.map((o) => o.value)).toEqual([
      second(),
      w.model.spec,
      'local',
    ])

    w.model.enqueue({ text: 'second model here' }, { text: 'first model here' })
    const onSecond = await w.acpx(['--format', 'json', 'prompt', 'who are you?'])
    const loaded = answerTo(frames(onSecond.stdout), 'session/load')?.result as Record<string, never>
    expect(loaded.modes).toMatchObject({ currentModeId: 'read-only' })
    expect(loaded.models).toMatchObject({ currentModelId: second() })
    expect(agentTextIn(frames(onSecond.stdout))).toBe('second model here')

    const back = await w.acpx(['--format', 'json', 'set', 'model', w.model.spec])
    expect(back.code).toBe(0)
    const onFirst = await w.acpx(['--format', 'json', 'prompt', 'and now?'])
    expect(agentTextIn(frames(onFirst.stdout))).toBe('first model here')
    expect(w.model.chatRequests().map((r) => r.body.model)).toEqual(['second-model', 'scripted-model'])
  })
})
