// The bench's floor: the least an ACP agent can do with the same SDK. It answers initialize and session/new at
// once and each prompt with one streamed chat request (no tools) to `--base-url URL --model NAME`, relaying the
// text. Punie's first-turn overheads are read against this agent's, measured in the same run.
import { Readable, Writable } from 'node:stream'
import { agent, methods, ndJsonStream } from '@agentclientprotocol/sdk'

const argument = (name: string) => {
  const value = process.argv[process.argv.indexOf(name) + 1]
  if (!value) throw new Error(`null agent: ${name} missing`)
  return value
}
const baseURL = argument('--base-url')
const model = argument('--model')

let sessions = 0
const stream = ndJsonStream(
  Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
  Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
)
const app = agent({ name: 'null-agent' })
  .onRequest(methods.agent.initialize, () => ({
    protocolVersion: 1,
    agentInfo: { name: 'null-agent', version: '0' },
    agentCapabilities: {},
    authMethods: [],
  }))
  .onRequest(methods.agent.session.new, () => ({ sessionId: `null-${++sessions}` }))
  .onRequest(methods.agent.session.prompt, async ({ params, client }) => {
    const text = params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join('\n')
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: text }] }),
      signal: AbortSignal.timeout(30_000),
    })
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true })
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue
        const delta = JSON.parse(line.slice(6))?.choices?.[0]?.delta?.content
        if (typeof delta !== 'string' || !delta) continue
        await client.notify(methods.client.session.update, {
          sessionId: params.sessionId,
          update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: delta } },
        })
      }
    }
    return { stopReason: 'end_turn' as const }
  })
const connection = app.connect(stream)
await connection.closed
