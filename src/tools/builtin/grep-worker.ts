// grep's regular expression runs here, off the agent's event loop: a catastrophic pattern stalls only this
// thread, which the agent terminates on cancel or at the deadline.
import { parentPort } from 'node:worker_threads'
import type { GrepBatchRequest, GrepWorkerReply } from './grep-protocol.js'

let compiled: { key: string; regex: RegExp } | undefined

const post = (reply: GrepWorkerReply) => parentPort?.postMessage(reply)

parentPort?.on('message', (request: GrepBatchRequest) => {
  try {
    const key = `${request.flags}/${request.pattern}`
    if (compiled?.key !== key) compiled = { key, regex: new RegExp(request.pattern, request.flags) }
    const { regex } = compiled
    let found = 0
    for (let index = 0; index < request.texts.length && found < request.limit; index++) {
      post({ id: request.id, type: 'file', index })
      const lines = (request.texts[index] as string).split('\n')
      for (let i = 0; i < lines.length && found < request.limit; i++) {
        const line = lines[i] as string
        if (!regex.test(line)) continue
        found++
        const text = line.length > request.maxLine ? `${line.slice(0, request.maxLine)}…` : line
        post({ id: request.id, type: 'match', index, line: i + 1, text })
      }
    }
    post({ id: request.id, type: 'done' })
  } catch (error) {
    post({ id: request.id, type: 'error', message: error instanceof Error ? error.message : String(error) })
  }
})
