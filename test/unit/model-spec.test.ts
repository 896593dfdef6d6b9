import { describe, expect, it } from 'vitest'
import { acceptsImages, chooseModelSpec, modelChoices } from '../../src/model/choose.js'
import { ModelSpecError, parseModelSpec } from '../../src/model/spec.js'

describe('parseModelSpec', () => {
  it('reads local as auto-detection with and without a model name', () => {
    expect(parseModelSpec('local')).toEqual({ kind: 'auto', source: 'local' })
    expect(parseModelSpec('local:qwen2.5-coder-7b')).toEqual({
      kind: 'auto',
      source: 'local:qwen2.5-coder-7b',
      model: 'qwen2.5-coder-7b',
    })
  })

  it('splits a URL at /v1, keeping slashes in the model name', () => {
    expect(parseModelSpec('local:http://192.168.1.5:8080/v1/qwen/qwen3-coder-30b')).toMatchObject({
      kind: 'endpoint',
      baseURL: 'http://192.168.1.5:8080/v1',
      model: 'qwen/qwen3-coder-30b',
      local: false,
    })
    expect(parseModelSpec('http://127.0.0.1:1234/v1/my-model')).toMatchObject({
      baseURL: 'http://127.0.0.1:1234/v1',
      model: 'my-model',
      local: true,
    })
    const bare = parseModelSpec('https://gateway.example/openai/v1')
    expect(bare).toMatchObject({ baseURL: 'https://gateway.example/openai/v1' })
    expect(bare).not.toHaveProperty('model')
  })

  it('knows the providers and their default servers', () => {
    expect(parseModelSpec('ollama:qwen2.5-coder:7b')).toMatchObject({
      baseURL: 'http://localhost:11434/v1',
      model: 'qwen2.5-coder:7b',
    })
    expect(parseModelSpec('ollama:llama3', { OLLAMA_HOST: '10.0.0.2' })).toMatchObject({
      baseURL: 'http://10.0.0.2:11434/v1',
    })
    expect(parseModelSpec('lmstudio:devstral')).toMatchObject({
      baseURL: 'http://localhost:1234/v1',
      model: 'devstral',
    })
    expect(parseModelSpec('openai:gpt-4.1-mini')).toMatchObject({
      baseURL: 'https://api.openai.com/v1',
      apiKeyEnv: 'OPENAI_API_KEY',
      local: false,
    })
  })

  it('rejects what it cannot read, saying what would work', () => {
    expect(() => parseModelSpec('')).toThrow(ModelSpecError)
    expect(() => parseModelSpec('gpt4')).toThrow(/use local, local:NAME/)
    expect(() => parseModelSpec('warp:x')).toThrow(/unknown provider "warp"/)
    expect(() => parseModelSpec('openai:')).toThrow(/needs a model name/)
    expect(() => parseModelSpec('http://host:9000/models/x')).toThrow(/no \/v1/)
    expect(() => parseModelSpec('local:')).toThrow(/needs a model name/)
  })
})

describe('chooseModelSpec', () => {
  it('prefers the flag, then PUNIE_MODEL, then the user config, then the project config, then local', () => {
    const all = { flag: 'a:1', env: 'b:2', userConfig: 'c:3', projectConfig: 'd:4' }
    expect(chooseModelSpec(all)).toEqual({ spec: 'a:1', origin: 'flag' })
    expect(chooseModelSpec({ ...all, flag: undefined })).toEqual({ spec: 'b:2', origin: 'env' })
    expect(chooseModelSpec({ ...all, flag: undefined, env: ' ' })).toEqual({
      spec: 'c:3',
      origin: 'user config',
    })
    expect(chooseModelSpec({ projectConfig: 'd:4' })).toEqual({ spec: 'd:4', origin: 'project config' })
    expect(chooseModelSpec({})).toEqual({ spec: 'local', origin: 'default' })
  })
})

describe('modelChoices', () => {
  it("keeps the current model first, then the session's earlier models and the configured ones, each once", () => {
    expect(modelChoices('b', ['a', 'b'], ['a', 'local'], ['c', ' ', 'local'])).toEqual([
      'b',
      'a',
      'local',
      'c',
    ])
  })
})

describe('acceptsImages', () => {
  it('accepts a spec listed exactly, or every spec for *, and nothing without a list', () => {
    expect(acceptsImages('openai:gpt-4.1', ['openai:gpt-4.1'])).toBe(true)
    expect(acceptsImages('openai:gpt-4.1-mini', ['openai:gpt-4.1'])).toBe(false)
    expect(acceptsImages('ollama:llava', ['*'])).toBe(true)
    expect(acceptsImages('ollama:llava', undefined)).toBe(false)
  })
})
