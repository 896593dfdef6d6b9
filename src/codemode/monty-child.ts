// The sandbox child process: runs one snippet at a time in Monty and asks the parent to run each tool call.
// It has no stdout of its own (the parent ignores it), so nothing here can reach a protocol stream.
import {
  Monty,
  MontyComplete,
  MontyNameLookup,
  MontyRuntimeError,
  MontySyntaxError,
  MontyTypingError,
} from '@pydantic/monty'
import { boundValue } from '../tools/limits.js'
import type { Diagnostic, ToChild, ToParent } from './protocol.js'
import { fromPython, toPython } from './values.js'

type Progress = ReturnType<Monty['start']>

/** Printing this many times the output cap stops the run: the code is flooding, not reporting. */
const FLOOD_FACTOR = 50

class OutputFlood extends Error {
  override name = 'OutputFlood'
}

let waiting: ((message: ToChild) => void) | undefined
let callCounter = 0

const send = (message: ToParent) => process.send?.(message)

process.on('message', (message: ToChild) => {
  if (message.type === 'run') void run(message)
  else waiting?.(message)
})
process.on('disconnect', () => process.exit(0))

function callParent(name: string, args: unknown[], kwargs: Record<string, unknown>): Promise<ToChild> {
  const callId = ++callCounter
  send({ type: 'call', callId, name, args, kwargs })
  return new Promise((resolve) => {
    waiting = (reply) => {
      if ('callId' in reply && reply.callId === callId) {
        waiting = undefined
        resolve(reply)
      }
    }
  })
}

async function run(request: Extract<ToChild, { type: 'run' }>) {
  const cap = request.limits.maxOutputChars
  let printed = 0
  let sent = 0
  let flooded = false
  // Monty runs synchronously between tool calls, so every message sent meanwhile waits in this process's
  // memory, outside Monty's limit: only the first `cap` characters are sent, whatever the code prints.
  const onPrint = (text: string) => {
    printed += text.length
    if (printed > cap * FLOOD_FACTOR) {
      flooded = true
      throw new OutputFlood('output flood')
    }
    if (sent >= cap) return
    const part = text.slice(0, cap - sent)
    sent += part.length
    send(part.length < text.length ? { type: 'print', text: part, dropped: true } : { type: 'print', text })
  }
  try {
    const monty = new Monty(request.code, {
      scriptName: 'snippet.py',
      ...(request.typeCheckPrefix ? { typeCheck: true, typeCheckPrefixCode: request.typeCheckPrefix } : {}),
    })
    let progress: Progress = monty.start({
      limits: {
        maxDurationSecs: request.limits.maxDurationSecs,
        maxMemory: request.limits.maxMemoryBytes,
        maxRecursionDepth: request.limits.maxRecursionDepth,
        ...(request.limits.maxAllocations ? { maxAllocations: request.limits.maxAllocations } : {}),
      },
      // Must return undefined: Monty treats any other value as an error.
      printCallback: (_stream: string, text: string) => {
        onPrint(text)
      },
    })
    while (!(progress instanceof MontyComplete)) {
      if (progress instanceof MontyNameLookup) {
        progress = progress.resume({})
        continue
      }
      const reply = await callParent(
        progress.functionName,
        progress.args.map(fromPython),
        fromPython(progress.kwargs) as Record<string, unknown>,
      )
      progress =
        reply.type === 'result'
          ? progress.resume({ returnValue: toPython(reply.value) })
          : progress.resume({
              exception: {
                type: reply.type === 'raise' ? reply.exception : 'RuntimeError',
                message: reply.type === 'raise' ? reply.message : 'bad reply',
              },
            })
    }
    const value = boundValue(fromPython(progress.output), cap)
    send({ type: 'done', value: value.value, valueCut: value.cut })
  } catch (error) {
    send(flooded ? floodError(cap) : describe(error, request.prefixLines))
  }
}

function floodError(cap: number): ToParent {
  return runtimeError(
    `the code printed more than ${(cap * FLOOD_FACTOR).toLocaleString('en')} characters and was stopped (the first ${cap.toLocaleString('en')} are shown): print a summary or a slice instead`,
  )
}

function runtimeError(message: string): ToParent {
  return {
    type: 'error',
    kind: 'runtime',
    typeName: 'RuntimeError',
    message,
    traceback: `RuntimeError: ${message}`,
  }
}

function describe(error: unknown, prefixLines: number): ToParent {
  if (error instanceof MontyTypingError) {
    const diagnostics = parseDiagnostics(error.displayDiagnostics('json'), prefixLines)
    const text = diagnostics.map((d) => `line ${d.line}:${d.column}: ${d.code}: ${d.message}`).join('\n')
    return {
      type: 'error',
      kind: 'typing',
      typeName: 'TypeError',
      message: text,
      traceback: text,
      diagnostics,
    }
  }
  if (error instanceof MontySyntaxError) {
    return {
      type: 'error',
      kind: 'syntax',
      typeName: 'SyntaxError',
      message: error.display('msg'),
      traceback: error.display('type-msg'),
    }
  }
  if (error instanceof MontyRuntimeError) {
    return {
      type: 'error',
      kind: 'runtime',
      typeName: error.exception.typeName,
      message: error.exception.message,
      traceback: error.display('traceback'),
    }
  }
  return runtimeError(error instanceof Error ? error.message : String(error))
}

/** ty's diagnostics count the stub prefix; the model only knows its own lines. */
function parseDiagnostics(json: string, prefixLines: number): Diagnostic[] {
  try {
    const rows = JSON.parse(json) as {
      code: string
      message: string
      location: { row: number; column: number }
    }[]
    return rows
      .filter((r) => r.location.row > prefixLines)
      .map((r) => ({
        line: r.location.row - prefixLines,
        column: r.location.column,
        code: r.code,
        message: r.message,
      }))
  } catch {
    return [{ line: 0, column: 0, code: 'type-check', message: json }]
  }
}
