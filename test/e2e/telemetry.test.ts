// OpenTelemetry export: a real OTLP/HTTP receiver on loopback gets GenAI spans from a spawned agent.

import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { methods } from '@agentclientprotocol/sdk'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { spawnAgent } from '../helpers/acp-harness.js'
import { ScriptedModelServer } from '../helpers/scripted-model.js'
import { makeTempDir } from '../helpers/temp.js'

interface OtlpSpan {
  name: string
  spanId: string
  parentSpanId?: string
  attributes: { key: string; value: Record<string, unknown> }[]
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value ? Object.values(value)[0] : undefined
}

describe('OpenTelemetry export', () => {
  let collector: Server
  let endpoint = ''
  const spans: OtlpSpan[] = []
  let model: ScriptedModelServer
  const home = makeTempDir('punie-otel-home-')
  const workspace = makeTempDir('punie-otel-ws-')

  beforeEach(async () => {
    spans.length = 0
    collector = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => {
        body += d
      })
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }
          for (const r of payload.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans)
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{}')
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
    model = await ScriptedModelServer.start()
  })
  afterEach(async () => {
    await model.close()
    await new Promise((resolve) => collector.close(resolve))
  })
  afterAll(() => {
    home.remove()
    workspace.remove()
  })

  it('sends invoke_agent, chat and execute_tool spans with gen_ai attributes, nested by turn and code', async () => {
    writeFileSync(join(workspace.path, 'a.py'), 'x = 1\n')
    const agent = spawnAgent({
      home: home.path,
      args: ['--model', model.spec],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    })
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace.path)
    await agent.harness.agent.request(methods.agent.session.setConfigOption, {
      sessionId,
      configId: 'mode',
      value: 'yolo',
    })
    model.enqueue(
      {
        toolCalls: [{ name: 'execute_code', arguments: { code: 'read_file("a.py")' } }],
        usage: { prompt_tokens: 321, completion_tokens: 12 },
      },
      { text: 'done' },
    )
    await agent.harness.prompt(sessionId, 'go')
    await agent.harness.close()
    expect(await agent.exited).toBe(0)

    const byName = (name: string) => spans.filter((s) => s.name === name)
    const [turn] = byName('invoke_agent punie')
    const chats = byName('chat scripted-model')
    const [code] = byName('execute_tool execute_code')
    const [read] = byName('execute_tool read_file')
    expect(turn && code && read).toBeTruthy()
    expect(chats).toHaveLength(2)
    expect(attribute(turn as OtlpSpan, 'gen_ai.conversation.id')).toBe(sessionId)
    for (const chat of chats) expect(chat.parentSpanId).toBe(turn?.spanId)
    expect(attribute(chats[0] as OtlpSpan, 'gen_ai.usage.input_tokens')).toBe(321)
    expect(attribute(chats[0] as OtlpSpan, 'gen_ai.request.model')).toBe('scripted-model')
    expect(code?.parentSpanId).toBe(turn?.spanId)
    expect(read?.parentSpanId).toBe(code?.spanId)
    expect(attribute(read as OtlpSpan, 'gen_ai.tool.name')).toBe('read_file')
    expect(attribute(code as OtlpSpan, 'punie.tool.backend')).toBe('sandbox')
  })

  it('stays off without the endpoint variable', async () => {
    const agent = spawnAgent({ home: home.path, args: ['--model', model.spec] })
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace.path)
    model.enqueue({ text: 'hi' })
    await agent.harness.prompt(sessionId, 'hello')
    await agent.harness.close()
    expect(spans).toEqual([])
  })
})
