// `punie ask "PROMPT"`: one prompt from the command line, answered by the running server or an agent in this
// process. Tools touch the local workspace; permission questions go to the terminal.
import { createInterface } from 'node:readline'
import { client, methods, type StopReason } from '@agentclientprotocol/sdk'
import type { AgentLink } from './agent-link.js'
import { AskOutput } from './ask-output.js'
import { LOCAL_CLIENT_CAPABILITIES, serveLocalWorkspace } from './local-services.js'
import { answerPermission } from './permission-prompt.js'

export interface AskOptions {
  prompt: string
  /** Absolute path of the workspace the session runs in. */
  workspace: string
  model?: string
  yes: boolean
  json: boolean
}

/** The terminal `ask` runs in; tests pass streams of their own. */
export interface AskTerminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void
}

export const EXIT = { ok: 0, failed: 1, interrupted: 130 } as const

export function exitCodeFor(stopReason: StopReason): number {
  if (stopReason === 'cancelled') return EXIT.interrupted
  return stopReason === 'refusal' ? EXIT.failed : EXIT.ok
}

export async function runAsk(options: AskOptions, term: AskTerminal, link: AgentLink): Promise<number> {
  const note = (text: string) => term.stderr.write(`${text}\n`)
  const output = new AskOutput({
    out: (text) => term.stdout.write(text),
    note,
    tty: term.stdout.isTTY === true,
    json: options.json,
  })
  const interactive = term.stdin.isTTY === true
  const interrupted = new AbortController()
  const app = serveLocalWorkspace(
    client({ name: 'punie-ask' })
      .onNotification(methods.client.session.update, ({ params }) => output.update(params.update))
      // The request's own signal ends the question when the agent withdraws it (answered in the dashboard).
      .onRequest(methods.client.session.requestPermission, ({ params, signal }) =>
        answerPermission(
          params,
          {
            yes: options.yes,
            ...(interactive ? { ask: (question, signal) => askLine(term, question, signal) } : {}),
            note,
            workspace: options.workspace,
          },
          AbortSignal.any([interrupted.signal, signal]),
        ),
      ),
    options.workspace,
  )
  const connection = app.connect(link.stream)
  let sessionId: string | undefined
  let interrupts = 0
  const stopListening = term.onInterrupt(() => {
    interrupts++
    interrupted.abort()
    if (interrupts > 1 || !sessionId) {
      note('interrupted')
      process.exit(EXIT.interrupted)
    }
    note('cancelling… (Ctrl-C again to quit)')
    void connection.agent.notify(methods.agent.session.cancel, { sessionId }).catch(() => undefined)
  })
  try {
    await connection.agent.request(methods.agent.initialize, {
      protocolVersion: 1,
      clientCapabilities: LOCAL_CLIENT_CAPABILITIES,
      clientInfo: { name: 'punie-ask', version: '1' },
    })
    const created = await connection.agent.request(methods.agent.session.new, {
      cwd: options.workspace,
      mcpServers: [],
    })
    sessionId = created.sessionId
    if (options.model) {
      await connection.agent.request(methods.agent.session.setConfigOption, {
        sessionId,
        configId: 'model',
        value: options.model,
      })
    }
    const answer = await connection.agent
      .request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: options.prompt }] })
      .then(
        (reply) => ({ stopReason: reply.stopReason, failure: undefined }),
        (error: unknown) => {
          // A failed turn is an error reply saying why; the session's text has shown the reason already.
          const failure = turnFailure(error)
          if (failure === undefined) throw error
          return { stopReason: 'end_turn' as const, failure }
        },
      )
    output.finish(sessionId, answer.stopReason, answer.failure)
    return answer.failure ? EXIT.failed : exitCodeFor(answer.stopReason)
  } catch (error) {
    note(`punie ask (${link.via}): ${errorText(error)}`)
    return EXIT.failed
  } finally {
    stopListening()
    connection.close()
    await app.dispose()
    await link.close()
  }
}

function askLine(term: AskTerminal, question: string, signal: AbortSignal): Promise<string> {
  const rl = createInterface({ input: term.stdin, output: term.stderr, terminal: true })
  return new Promise<string>((resolve, reject) => {
    rl.on('SIGINT', () => reject(new Error('interrupted')))
    rl.question(question, { signal }, resolve)
    signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true })
  }).finally(() => rl.close())
}

/** Why the turn failed, from session/prompt's error reply (`data.punie.error`); undefined for other errors. */
export function turnFailure(error: unknown): string | undefined {
  const data = (error as { data?: { punie?: { error?: unknown } } } | null)?.data
  const failure = data?.punie?.error
  return typeof failure === 'string' ? failure : undefined
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, data } = error as { message: unknown; data?: unknown }
    const detail = typeof data === 'string' ? data : (data as { message?: string } | undefined)?.message
    return detail && detail !== message ? `${message}: ${detail}` : String(message)
  }
  return String(error)
}
