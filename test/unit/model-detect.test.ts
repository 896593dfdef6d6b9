import { afterEach, describe, expect, it } from 'vitest'
import { connectionFailed, describeConnectionError, ModelError } from '../../src/model/errors.js'
import { resolveModel } from '../../src/model/resolve.js'
import { parseModelSpec } from '../../src/model/spec.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'

describe('resolving model specs against running servers', () => {
  const servers: ScriptedModelServer[] = []
  const start = async (models: string[]) => {
    const server = await ScriptedModelServer.start()
    server.models = models
    servers.push(server)
    return server
  }
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close()
  })

  it('takes the first local server that answers, in preference order, and its loaded model', async () => {
    const down = await start([])
    const downURL = down.baseURL
    await down.close()
    const ollama = await start(['qwen2.5-coder:7b'])
    const vllm = await start(['other'])
    const candidates = [
      { name: 'LM Studio', baseURL: downURL },
      { name: 'Ollama', baseURL: ollama.baseURL },
      { name: 'vLLM', baseURL: vllm.baseURL },
    ]
    const resolved = await resolveModel(parseModelSpec('local'), { env: {}, localCandidates: candidates })
    expect(resolved).toMatchObject({ baseURL: ollama.baseURL, model: 'qwen2.5-coder:7b' })

    const named = await resolveModel(parseModelSpec('local:other'), { env: {}, localCandidates: candidates })
    expect(named).toMatchObject({ baseURL: vllm.baseURL, model: 'other' })
  })

  it('names every server it tried when none answers', async () => {
    const candidates = [
      { name: 'LM Studio', baseURL: 'http://127.0.0.1:9/v1' },
      { name: 'Ollama', baseURL: 'http://127.0.0.1:7/v1' },
    ]
    const failure = resolveModel(parseModelSpec('local'), {
      env: {},
      localCandidates: candidates,
      probeTimeoutMs: 500,
    })
    await expect(failure).rejects.toThrow(ModelError)
    await expect(failure).rejects.toThrow(
      /Tried LM Studio http:\/\/127\.0\.0\.1:9\/v1, Ollama http:\/\/127\.0\.0\.1:7\/v1.*start LM Studio/,
    )
    const message = await failure.then(
      () => '',
      (error: Error) => error.message,
    )
    expect(message.match(/Fix:/g), message).toHaveLength(1)
  })

  it('says when a server runs but serves no such model', async () => {
    const server = await start(['a'])
    const candidates = [{ name: 'LM Studio', baseURL: server.baseURL }]
    await expect(
      resolveModel(parseModelSpec('local:b'), { env: {}, localCandidates: candidates }),
    ).rejects.toThrow(/serves "b"/)
  })

  it('asks an endpoint without a model name which model it serves, and needs API keys for cloud providers', async () => {
    const server = await start(['served-model'])
    await expect(resolveModel(parseModelSpec(server.baseURL), { env: {} })).resolves.toMatchObject({
      model: 'served-model',
    })
    await expect(resolveModel(parseModelSpec('openai:gpt-4.1'), { env: {} })).rejects.toThrow(
      /OPENAI_API_KEY is not set/,
    )
    await expect(
      resolveModel(parseModelSpec('openai:gpt-4.1'), { env: { OPENAI_API_KEY: 'k' } }),
    ).resolves.toMatchObject({
      apiKey: 'k',
      model: 'gpt-4.1',
    })
  })
})

describe('a failed connection to a model server', () => {
  const url = 'http://localhost:1234/v1'
  // What fetch throws, as the openai client wraps it: Error("Connection error.") → TypeError("fetch failed") → …
  const wrapped = (inner: unknown) =>
    Object.assign(new Error('Connection error.'), {
      cause: Object.assign(new TypeError('fetch failed'), { cause: inner }),
    })
  const refused = () => Object.assign(new Error('connect ECONNREFUSED ::1:1234'), { code: 'ECONNREFUSED' })

  it('is "connection refused" when nothing listens, also when every address of localhost refuses', () => {
    expect(connectionFailed(url, wrapped(refused())).message).toMatch(
      /No model server answered at .* \(connection refused\)\. Fix:/,
    )
    // Node 20 before 20.12 leaves the AggregateError of a dual-stack connect without a code of its own.
    const both = new AggregateError([refused(), refused()], '')
    const failure = connectionFailed(url, wrapped(both))
    expect(failure.message).toContain('(connection refused)')
    expect(failure.message).not.toMatch(/broke off/)
    expect(failure.detail).toBe('connection refused')
  })

  it('names a port that fetch refuses to connect to, instead of "broke off; try again"', async () => {
    // fetch refuses a blocked port before connecting: no traffic, and the error carries no code.
    const refusedByFetch = await fetch('http://127.0.0.1:6000/v1/models').catch((error: unknown) => error)
    const failure = connectionFailed('http://127.0.0.1:6000/v1', wrapped(refusedByFetch))
    expect(failure.message).toMatch(/fetch refuses port 6000 .*run the server on another port/)
    expect(failure.message).not.toMatch(/broke off|try again/)
  })

  it('broke off only when a connection was made and then lost', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    expect(connectionFailed(url, wrapped(reset)).message).toMatch(/broke off \(UND_ERR_SOCKET\); try again/)
    expect(describeConnectionError(wrapped(Object.assign(new Error('x'), { code: 'ENOTFOUND' })))).toBe(
      'host not found',
    )
  })
})
