// What clients from before config options (and those after) rely on, through the SDK's client side: the `modes`
// and `models` fields with session/set_mode and session/set_model beside the config options, all changing one
// state; model choices that survive a switch; absolute tool-call paths; images; promptCapabilities.
import { join } from 'node:path'
import type { SessionConfigOption, SessionUpdate } from '@agentclientprotocol/sdk'
import { describe, expect, it } from 'vitest'
import { ScriptedIde } from '../helpers/ide.js'
import { useProtocolFixture } from './fixtures.js'

interface SessionState {
  sessionId?: string
  modes?: { currentModeId: string; availableModes: { id: string; name: string }[] } | null
  models?: { currentModelId: string; availableModels: { modelId: string; name: string }[] }
  configOptions?: SessionConfigOption[] | null
}

const optionValues = (options: SessionConfigOption[] | null | undefined, id: string) => {
  const option = options?.find((o) => o.id === id)
  return option?.type === 'select' ? option.options.map((o) => ('value' in o ? o.value : '')) : []
}
const current = (options: SessionConfigOption[] | null | undefined, id: string) =>
  options?.find((o) => o.id === id)?.currentValue

// A 1×1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

describe('modes and models beside config options', () => {
  const f = useProtocolFixture()
  const other = () => `${f.model.baseURL}/second-model`

  it('answers session/new with modes, models and config options that agree', async () => {
    const created = (await f.acp.newSession(f.workspace)) as SessionState
    expect(created.modes?.currentModeId).toBe('ask')
    expect(created.modes?.availableModes.map((m) => m.id)).toEqual(
      optionValues(created.configOptions, 'mode'),
    )
    expect(created.models?.currentModelId).toBe(f.model.spec)
    expect(created.models?.availableModels.map((m) => m.modelId)).toEqual(
      optionValues(created.configOptions, 'model'),
    )
    expect(optionValues(created.configOptions, 'model')).toEqual([f.model.spec, 'local'])
  })

  it('switches the mode with session/set_mode and announces it both ways', async () => {
    const sessionId = await f.session()
    await f.acp.agent.request('session/set_mode', { sessionId, modeId: 'read-only' })
    await f.acp.waitFor(() =>
      f.acp.updates(sessionId).some((u) => u.sessionUpdate === 'config_option_update'),
    )
    const updates = f.acp.updates(sessionId)
    expect(updates).toContainEqual({ sessionUpdate: 'current_mode_update', currentModeId: 'read-only' })
    const options = updates.find((u) => u.sessionUpdate === 'config_option_update') as Extract<
      SessionUpdate,
      { sessionUpdate: 'config_option_update' }
    >
    expect(current(options.configOptions, 'mode')).toBe('read-only')
  })

  it('announces a mode set through the config option as current_mode_update too', async () => {
    const sessionId = await f.session()
    const answer = await f.acp.agent.request('session/set_config_option', {
      sessionId,
      configId: 'mode',
      value: 'yolo',
    })
    expect(current(answer.configOptions, 'mode')).toBe('yolo')
    await f.acp.waitFor(() => f.acp.updates(sessionId).some((u) => u.sessionUpdate === 'current_mode_update'))
    expect(f.acp.updates(sessionId)).toContainEqual({
      sessionUpdate: 'current_mode_update',
      currentModeId: 'yolo',
    })
  })

  it('refuses an unknown mode with invalid params, and the session keeps its mode', async () => {
    const sessionId = await f.session()
    await expect(
      f.acp.agent.request('session/set_mode', { sessionId, modeId: 'plan' }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/unknown mode "plan"/) })
    const loaded = (await f.acp.loadSession(sessionId, f.workspace)) as SessionState
    expect(loaded.modes?.currentModeId).toBe('ask')
  })

  it('switches the model with session/set_model and back, the next turn using each, every choice kept', async () => {
    const sessionId = await f.session()
    await f.acp.agent.request('session/set_model', { sessionId, modelId: other() })
    await f.acp.waitFor(() =>
      f.acp.updates(sessionId).some((u) => u.sessionUpdate === 'config_option_update'),
    )
    const update = f.acp
      .updates(sessionId)
      .find((u) => u.sessionUpdate === 'config_option_update') as Extract<
      SessionUpdate,
      { sessionUpdate: 'config_option_update' }
    >
    expect(current(update.configOptions, 'model')).toBe(other())
    // The model the session started with is still a choice: the client can switch back.
    expect(optionValues(update.configOptions, 'model')).toEqual([other(), f.model.spec, 'local'])

    f.model.enqueue({ text: 'from the second model' }, { text: 'from the first model' })
    await f.acp.prompt(sessionId, 'one')
    await f.acp.agent.request('session/set_model', { sessionId, modelId: f.model.spec })
    await f.acp.prompt(sessionId, 'two')
    expect(f.model.chatRequests().map((r) => r.body.model)).toEqual(['second-model', 'scripted-model'])

    const loaded = (await f.acp.loadSession(sessionId, f.workspace)) as SessionState
    expect(loaded.models?.currentModelId).toBe(f.model.spec)
    expect(current(loaded.configOptions, 'model')).toBe(f.model.spec)
    expect(loaded.models?.availableModels.map((m) => m.modelId)).toEqual(
      optionValues(loaded.configOptions, 'model'),
    )
  })

  it('switches the model through the config option and back, and set_model sees the same state', async () => {
    const sessionId = await f.session()
    const away = await f.acp.agent.request('session/set_config_option', {
      sessionId,
      configId: 'model',
      value: other(),
    })
    expect(current(away.configOptions, 'model')).toBe(other())
    expect(optionValues(away.configOptions, 'model')).toContain(f.model.spec)
    const back = await f.acp.agent.request('session/set_config_option', {
      sessionId,
      configId: 'model',
      value: f.model.spec,
    })
    expect(current(back.configOptions, 'model')).toBe(f.model.spec)
    expect(optionValues(back.configOptions, 'model')).toEqual([f.model.spec, other(), 'local'])
  })

  it('refuses a model spec it cannot parse, and malformed set_model params, keeping the session usable', async () => {
    const sessionId = await f.session()
    await expect(
      f.acp.agent.request('session/set_model', { sessionId, modelId: 'bogus:thing' }),
    ).rejects.toMatchObject({ code: -32602 })
    await expect(f.acp.agent.request('session/set_model', { sessionId })).rejects.toMatchObject({
      code: -32602,
    })
    await expect(
      f.acp.agent.request('session/set_model', { sessionId: 'nope', modelId: other() }),
    ).rejects.toMatchObject({ code: -32002 })
    f.model.enqueue({ text: 'still here' })
    expect((await f.acp.prompt(sessionId, 'hi')).stopReason).toBe('end_turn')
  })

  it('still offers the models a session switched between after the agent restarts', async () => {
    const sessionId = await f.session()
    const third = `${f.model.baseURL}/third-model`
    await f.acp.agent.request('session/set_model', { sessionId, modelId: other() })
    await f.acp.agent.request('session/set_model', { sessionId, modelId: third })
    await f.restart()
    const loaded = (await f.acp.loadSession(sessionId, f.workspace)) as SessionState
    expect(loaded.models?.currentModelId).toBe(third)
    expect(optionValues(loaded.configOptions, 'model')).toEqual([third, other(), f.model.spec, 'local'])
  })

  it('lists the models of the user config and keeps a /model switch among the choices', async () => {
    f.writeConfig({ models: ['ollama:qwen2.5-coder:7b'] })
    await f.restart()
    const created = (await f.acp.newSession(f.workspace)) as SessionState
    expect(optionValues(created.configOptions, 'model')).toEqual([
      f.model.spec,
      'local',
      'ollama:qwen2.5-coder:7b',
    ])
    const sessionId = created.sessionId as string
    await f.acp.prompt(sessionId, `/model ${other()}`)
    const loaded = (await f.acp.loadSession(sessionId, f.workspace)) as SessionState
    expect(loaded.models?.availableModels.map((m) => m.modelId)).toEqual([
      other(),
      f.model.spec,
      'local',
      'ollama:qwen2.5-coder:7b',
    ])
  })
})

describe('tool-call paths are absolute', () => {
  const f = useProtocolFixture({ ide: () => new ScriptedIde().answerPermissions('allow_once') })

  it('gives cards, permission requests and diffs absolute paths for relative tool arguments', async () => {
    const sessionId = await f.session()
    f.model.enqueue(
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/todo.md', content: 'x\n' } }] },
      { text: 'written' },
    )
    await f.acp.prompt(sessionId, 'write it')
    const target = join(f.workspace, 'notes', 'todo.md')
    const card = f.acp.updates(sessionId).find((u) => u.sessionUpdate === 'tool_call')
    expect(card?.sessionUpdate === 'tool_call' && card.locations).toEqual([{ path: target }])
    const asked = f.acp.ide?.permissionRequests[0]?.toolCall
    expect(asked?.locations).toEqual([{ path: target }])
    expect(asked?.content).toContainEqual(expect.objectContaining({ type: 'diff', path: target }))
  })
})

describe('images in prompts', () => {
  const f = useProtocolFixture()

  it('sends an image to a model listed in imageModels as an image_url part, and advertises images', async () => {
    f.writeConfig({ imageModels: [f.model.spec] })
    await f.restart()
    const init = await f.acp.initialize()
    expect(init.agentCapabilities?.promptCapabilities?.image).toBe(true)
    const sessionId = await f.session()
    f.model.enqueue({ text: 'a transparent pixel' })
    await f.acp.prompt(sessionId, [
      { type: 'text', text: 'what is this?' },
      { type: 'image', mimeType: 'image/png', data: PNG },
    ])
    const user = f.model.chatRequests()[0]?.body.messages.find((m) => m.role === 'user')
    expect(user?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ])
    // A reloaded session replays the image as the user sent it.
    const mark = f.acp.updates(sessionId).length
    await f.acp.loadSession(sessionId, f.workspace)
    expect(f.acp.updates(sessionId).slice(mark)).toContainEqual({
      sessionUpdate: 'user_message_chunk',
      content: { type: 'image', mimeType: 'image/png', data: PNG },
    })
  })

  it('does not advertise images for other models, and tells the model what was left out', async () => {
    const init = await f.acp.initialize()
    expect(init.agentCapabilities?.promptCapabilities?.image).toBe(false)
    const sessionId = await f.session()
    f.model.enqueue({ text: 'I cannot see it' })
    await f.acp.prompt(sessionId, [
      { type: 'text', text: 'what is this?' },
      { type: 'image', mimeType: 'image/png', data: PNG },
    ])
    const user = f.model.chatRequests()[0]?.body.messages.find((m) => m.role === 'user')
    expect(user?.content).toBe(
      `what is this?\n\n[An image (image/png) was left out: the model ${f.model.spec} does not take images (list it in imageModels in ~/.punie/config.json if it does)]`,
    )
  })

  it('leaves out an image over the size limit, or of a format servers do not take, with a note', async () => {
    f.writeConfig({ imageModels: ['*'] })
    await f.restart()
    const sessionId = await f.session()
    f.model.enqueue({ text: 'ok' })
    const huge = 'A'.repeat(6 * 1024 * 1024)
    await f.acp.prompt(sessionId, [
      { type: 'text', text: 'look' },
      { type: 'image', mimeType: 'image/png', data: huge },
      { type: 'image', mimeType: 'image/tiff', data: PNG },
    ])
    const request = f.model.chatRequests()[0]
    expect(request?.bytes).toBeLessThanOrEqual(64 * 1024)
    const user = request?.body.messages.find((m) => m.role === 'user')
    expect(user?.content).toBe(
      'look\n\n[An attachment (image of 4.5 MB, over the 4 MB limit) was left out: it cannot be passed to the model]\n\n' +
        '[An attachment (image of type image/tiff) was left out: it cannot be passed to the model]',
    )
  })
})
