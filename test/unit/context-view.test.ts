import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  probeContextWindow,
  serverOrigin,
  tokenCountFrom,
  windowFromLlamaProps,
  windowFromLmStudio,
  windowFromModelList,
  windowFromOllamaShow,
} from '../../src/model/context-probe.js'
import type { ChatMessage } from '../../src/model/types.js'
import { DEFAULT_CONTEXT_WINDOW, windowFacts } from '../../src/session/context.js'
import {
  EMPTY_CONTEXT,
  fitToBudget,
  latestRoundStart,
  maskedResult,
  planCompaction,
  renderView,
  shortenArguments,
  summaryBoundary,
  viewTokens,
} from '../../src/session/context-view.js'

const big = (tag: string) => `${tag}\n${'line of file content\n'.repeat(100)}`

/** Turn k: the user asks, the model reads f{k}.py, gets a big result, answers. */
function history(turns: number): ChatMessage[] {
  const out: ChatMessage[] = []
  for (let k = 0; k < turns; k++) {
    out.push({ role: 'user', content: k === 0 ? 'The codeword is OTTER. Read the files.' : `turn ${k}` })
    out.push({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `c${k}`, name: 'read_file', arguments: JSON.stringify({ path: `f${k}.py` }) }],
    })
    out.push({ role: 'tool', toolCallId: `c${k}`, content: big(`f${k}`) })
    out.push({ role: 'assistant', content: `read f${k}` })
  }
  return out
}

const plan = (h: ChatMessage[], target: number, state = EMPTY_CONTEXT) =>
  planCompaction({ history: h, state, fixedTokens: 100, ratio: 1, target })

describe('observation masking', () => {
  it('replaces old tool results with a placeholder that says how to get them back', () => {
    const h = history(3)
    const view = renderView(h, { maskedBefore: 7 })
    expect(view[2]).toEqual({
      role: 'tool',
      toolCallId: 'c0',
      content:
        '[result of read_file path="f0.py" elided to save context (2103 characters); call read_file again to see it]',
    })
    expect(view[6]?.content).toContain('call read_file again')
    expect(view[10]).toEqual(h[10])
    // User and assistant messages are never masked.
    expect(view.filter((m) => m.role !== 'tool')).toEqual(h.filter((m) => m.role !== 'tool'))
  })

  it('keeps short results, and names execute_code outputs as code to run again', () => {
    const short: ChatMessage[] = [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'a', name: 'glob', arguments: '{"pattern":"*.py"}' }],
      },
      { role: 'tool', toolCallId: 'a', content: 'a.py\nb.py' },
    ]
    expect(renderView(short, { maskedBefore: 3 })).toEqual(short)
    expect(maskedResult({ id: 'x', name: 'execute_code', arguments: '{"code":"print(1)"}' }, 900)).toContain(
      'run the code again',
    )
  })

  it('shortens long tool-call arguments in the masked part and keeps them valid JSON', () => {
    const json = JSON.stringify({ path: 'a.py', content: 'x'.repeat(5000) })
    const short = shortenArguments(json)
    expect(short.length).toBeLessThanOrEqual(400)
    expect(JSON.parse(short)).toMatchObject({ path: 'a.py' })
    expect(shortenArguments('{"path":"a.py"}')).toBe('{"path":"a.py"}')
  })

  it('masks oldest first, only as far as the target needs, and never the latest round', () => {
    const h = history(6)
    const all = viewTokens({ history: h, state: EMPTY_CONTEXT, fixedTokens: 100, ratio: 1 })
    const { state, summarizeThrough } = plan(h, all - 1000)
    expect(summarizeThrough).toBeUndefined()
    expect(state.maskedBefore).toBeGreaterThan(2)
    expect(state.maskedBefore).toBeLessThanOrEqual(h.length - 4)
    expect(viewTokens({ history: h, state, fixedTokens: 100, ratio: 1 })).toBeLessThanOrEqual(all - 1000)

    const tight = plan(h, 10)
    expect(tight.state.maskedBefore).toBe(latestRoundStart(h))
    expect(renderView(h, tight.state).at(-2)).toEqual(h.at(-2))
  })

  it('asks for a summary only when masking everything it may is not enough', () => {
    const h = history(6)
    const masked = viewTokens({
      history: h,
      state: { maskedBefore: latestRoundStart(h) },
      fixedTokens: 100,
      ratio: 1,
    })
    expect(plan(h, masked + 5).summarizeThrough).toBeUndefined()
    const { summarizeThrough } = plan(h, masked - 50)
    expect(summarizeThrough).toBeDefined()
    expect(h[summarizeThrough as number]?.role).toBe('user')
  })
})

describe('the summary in the view', () => {
  it('keeps the first user message whole and stands for the turns after it', () => {
    const h = history(5)
    const view = renderView(h, { maskedBefore: 12, summary: { text: 'They read f1..f2.', through: 12 } })
    expect(view[0]).toEqual(h[0])
    expect(view[1]?.content).toContain('[Summary of the earlier conversation')
    expect(view[1]?.content).toContain('They read f1..f2.')
    expect(view.slice(2)).toEqual(h.slice(12))
    expect(JSON.stringify(view)).not.toContain('turn 1')
  })

  it('chooses the earliest turn start that reaches the target', () => {
    const h = history(8)
    const state = { maskedBefore: latestRoundStart(h) }
    const through = summaryBoundary(h, state, 100, 1, 500)
    expect(through).toBeDefined()
    expect(h[through as number]?.role).toBe('user')
    expect(summaryBoundary(history(1), EMPTY_CONTEXT, 100, 1, 1)).toBeUndefined()
  })
})

describe('the last resort', () => {
  it('cuts the largest message, saying so, but not the first instruction', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: `task ${'t'.repeat(600)}` },
      { role: 'tool', toolCallId: 'c', content: 'r'.repeat(30_000) },
    ]
    const fitted = fitToBudget(messages, 0, 1, 2000)
    expect(fitted?.[1]).toEqual(messages[1])
    expect(fitted?.[2]?.content).toContain('characters cut to fit the context window')
    expect(fitToBudget(messages, 5000, 1, 2000)).toBeUndefined()
  })
})

describe('window facts', () => {
  it('takes the smaller of the server and the config, else the default, and reserves output', () => {
    expect(windowFacts({ maxTokens: 8192 }, 4096, 'llama.cpp /props')).toMatchObject({
      window: 4096,
      reserved: 1024,
      budget: 3072,
      known: true,
      source: 'llama.cpp /props',
    })
    expect(windowFacts({ maxTokens: 8192, contextWindow: 2048 }, 4096).window).toBe(2048)
    expect(windowFacts({ maxTokens: 8192, contextWindow: 2048 }).source).toBe('config')
    expect(windowFacts({ maxTokens: 8192 })).toMatchObject({ window: DEFAULT_CONTEXT_WINDOW, known: false })
    expect(windowFacts({ maxTokens: 8192, reservedOutputTokens: 300 }, 4096).budget).toBe(3796)
  })
})

describe('context-window probes', () => {
  it('reads each server kind its own way', () => {
    expect(windowFromLlamaProps({ default_generation_settings: { n_ctx: 4096 } })).toBe(4096)
    expect(windowFromLlamaProps({ n_ctx: 2048 })).toBe(2048)
    expect(windowFromModelList({ data: [{ id: 'q', max_model_len: 32768 }] }, 'q')).toBe(32768)
    expect(windowFromModelList({ data: [{ id: 'a' }, { id: 'b', max_model_len: 9 }] }, 'a')).toBeUndefined()
    const lms = { data: [{ id: 'qwen', max_context_length: 131072, loaded_context_length: 8192 }] }
    expect(windowFromLmStudio(lms, 'qwen')).toBe(8192)
    expect(windowFromLmStudio({ data: [{ id: 'qwen', max_context_length: 131072 }] }, 'QWEN')).toBe(131072)
    const show = { model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 } }
    expect(windowFromOllamaShow(show)).toBe(32768)
    expect(windowFromOllamaShow({ ...show, parameters: 'stop "<|im_end|>"\nnum_ctx 8192' })).toBe(8192)
    expect(tokenCountFrom({ tokens: [1, 2, 3] })).toBe(3)
    expect(tokenCountFrom({ count: 7, tokens: [] })).toBe(7)
    expect(serverOrigin('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080')
  })

  it('asks only the endpoint of the server /v1/models names (LM Studio, Ollama), and nothing else', async () => {
    let ownedBy = 'library'
    const asked: string[] = []
    const server = createServer((req, res) => {
      asked.push(req.url ?? '')
      res.setHeader('content-type', 'application/json')
      if (req.url === '/v1/models')
        return res.end(JSON.stringify({ data: [{ id: 'm', object: 'model', owned_by: ownedBy }] }))
      if (req.url === '/api/show') return res.end(JSON.stringify({ parameters: 'num_ctx 6144' }))
      if (req.url === '/api/v0/models')
        return res.end(
          JSON.stringify({ data: [{ id: 'm', max_context_length: 32768, loaded_context_length: 4096 }] }),
        )
      res.statusCode = 404
      res.end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
    try {
      const info = { baseURL: base, model: 'm', apiKey: 'punie-local' }
      expect(await probeContextWindow(info)).toEqual({ contextWindow: 6144, source: 'Ollama /api/show' })
      expect(asked).toEqual(['/v1/models', '/api/show'])
      ownedBy = 'organization_owner'
      expect(await probeContextWindow(info)).toEqual({
        contextWindow: 4096,
        source: 'LM Studio /api/v0/models',
      })
      // A server that is none of these is asked for nothing beyond /v1/models.
      ownedBy = 'someone'
      asked.length = 0
      expect(await probeContextWindow(info)).toEqual({})
      expect(asked).toEqual(['/v1/models'])
      expect(await probeContextWindow({ ...info, baseURL: 'http://127.0.0.1:9/v1' }, 200)).toEqual({})
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('servers that reuse tool-call ids', () => {
  it('names the call each result answers, not a later call with the same id', () => {
    const h: ChatMessage[] = []
    for (const file of ['one.py', 'two.py']) {
      h.push({ role: 'user', content: `read ${file}` })
      h.push({
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_0', name: 'read_file', arguments: JSON.stringify({ path: file }) }],
      })
      h.push({ role: 'tool', toolCallId: 'call_0', content: big(file) })
    }
    const view = renderView(h, { maskedBefore: 6 })
    expect(view[2]?.content).toContain('path="one.py"')
    expect(view[5]?.content).toContain('path="two.py"')
  })
})
