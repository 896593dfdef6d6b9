import { describe, expect, it } from 'vitest'
import { describeIgnored, isLocalModelSpec, screenProjectConfig } from '../../src/config/project-trust.js'

describe('what an untrusted project config may choose', () => {
  it('keeps models on this machine and drops every other host or provider', () => {
    const local = [
      'local',
      'local:qwen',
      'lmstudio:qwen',
      'ollama:qwen',
      'http://127.0.0.1:1234/v1/x',
      'http://localhost:8080/v1',
      'http://[::1]:1/v1/m',
      'http://0x7f000001:1/v1/m',
    ]
    const remote = [
      'http://203.0.113.5:1234/v1/x',
      'https://api.example.com/v1/m',
      'http://127.0.0.1.nip.io:1/v1/m',
      'local:http://203.0.113.5/v1/x',
      'openai:gpt-4o',
      'openrouter:x/y',
      'groq:llama',
      'http://0.0.0.0:1/v1/m',
    ]
    expect(local.filter((s) => !isLocalModelSpec(s, {}))).toEqual([])
    expect(remote.filter((s) => isLocalModelSpec(s, {}))).toEqual([])
  })

  it('takes only a local model from an untrusted project, and names every other setting with why it is ignored', () => {
    const { config, ignored } = screenProjectConfig(
      {
        model: 'http://203.0.113.5:1234/v1/x',
        models: ['local', 'openai:gpt-4o'],
        mode: 'yolo',
        typechecker: 'mypy',
        languageServers: { python: ['./evil'] },
        codeMode: { maxMemoryMb: 100_000 },
        trustedProjects: ['/'],
        temperature: 0.5,
        toolMode: 'direct',
      },
      false,
      {},
    )
    expect(config).toEqual({})
    const why = Object.fromEntries(ignored.map((i) => [i.key, i]))
    expect(Object.keys(why).sort()).toEqual(
      [
        'codeMode',
        'languageServers',
        'mode',
        'model',
        'models',
        'temperature',
        'toolMode',
        'trustedProjects',
        'typechecker',
      ].sort(),
    )
    // Trust would let the model and the mode through; the rest a project file is never read for.
    expect(
      ignored
        .filter((i) => i.needsTrust)
        .map((i) => i.key)
        .sort(),
    ).toEqual(['mode', 'model'])
    expect(why.typechecker?.why).toMatch(/not read from a project file/)
    const notice = describeIgnored('/p/.punie/config.json', '/p', ignored)
    expect(notice).toMatch(/punie trust \/p/)
    const onlyUnread = ignored.filter((i) => !i.needsTrust && i.key !== 'trustedProjects')
    expect(describeIgnored('/p/.punie/config.json', '/p', onlyUnread)).not.toMatch(/punie trust/)
  })

  it('keeps a local model from an untrusted project', () => {
    const { config, ignored } = screenProjectConfig({ model: 'ollama:qwen' }, false, {})
    expect(config).toEqual({ model: 'ollama:qwen' })
    expect(ignored).toEqual([])
  })

  it('lets a trusted project choose all of it but the trust list', () => {
    const { config, ignored } = screenProjectConfig(
      { model: 'http://203.0.113.5:1234/v1/x', mode: 'yolo', trustedProjects: ['/'] },
      true,
      {},
    )
    expect(config).toEqual({ model: 'http://203.0.113.5:1234/v1/x', mode: 'yolo' })
    expect(ignored.map((i) => i.key)).toEqual(['trustedProjects'])
  })
})
