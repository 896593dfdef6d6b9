import { describe, expect, it } from 'vitest'
import { PermissionBroker } from '../../src/session/permission-broker.js'
import type { PermissionRequest } from '../../src/session/ports.js'
import type { PermissionOutcome } from '../../src/tools/permission.js'

const request = (toolCallId: string): PermissionRequest => ({
  toolCallId,
  toolName: 'write_file',
  title: `Write ${toolCallId}.txt`,
  kind: 'edit',
  input: {},
  locations: [],
  content: [],
})

/** An asker that holds its dialog open until told, and notes when the broker withdraws it. */
function heldDialog() {
  const dialog: {
    withdrawn: boolean
    answer: (outcome: PermissionOutcome) => void
    ask: (request: PermissionRequest, signal: AbortSignal) => Promise<PermissionOutcome>
  } = {
    withdrawn: false,
    answer: () => undefined,
    ask: (_request: PermissionRequest, signal: AbortSignal) =>
      new Promise<PermissionOutcome>((resolve) => {
        dialog.answer = resolve
        const withdraw = () => {
          dialog.withdrawn = true
          resolve('cancelled')
        }
        if (signal.aborted) withdraw()
        else signal.addEventListener('abort', withdraw)
      }),
  }
  return dialog
}

describe('PermissionBroker', () => {
  it('takes the answer given elsewhere first, and withdraws the attached client’s dialog', async () => {
    const broker = new PermissionBroker()
    const dialog = heldDialog()
    const outcome = broker.ask(request('a'), new AbortController().signal, dialog.ask)
    expect(broker.pending).toEqual(['a'])
    expect(broker.answer('a', 'allow_once')).toBe(true)
    expect(await outcome).toBe('allow_once')
    expect(dialog.withdrawn).toBe(true)
    expect(broker.pending).toEqual([])
    // The first answer won: a second one finds nothing waiting.
    expect(broker.answer('a', 'reject_once')).toBe(false)
  })

  it('takes the attached client’s answer when it comes first; a later answer elsewhere is refused', async () => {
    const broker = new PermissionBroker()
    const dialog = heldDialog()
    const outcome = broker.ask(request('b'), new AbortController().signal, dialog.ask)
    dialog.answer('reject_always')
    expect(await outcome).toBe('reject_always')
    expect(broker.answer('b', 'allow_once')).toBe(false)
    expect(dialog.withdrawn).toBe(false)
  })

  it('withdraws the dialog when the turn is cancelled, and keeps requests of different calls apart', async () => {
    const broker = new PermissionBroker()
    const turn = new AbortController()
    const first = heldDialog()
    const second = heldDialog()
    const one = broker.ask(request('c1'), turn.signal, first.ask)
    const two = broker.ask(request('c2'), new AbortController().signal, second.ask)
    turn.abort()
    expect(await one).toBe('cancelled')
    expect(first.withdrawn).toBe(true)
    expect(broker.pending).toEqual(['c2'])
    expect(broker.answer('c2', 'allow_always')).toBe(true)
    expect(await two).toBe('allow_always')
  })

  it('withdraws at once when the turn was cancelled before the question was asked', async () => {
    const broker = new PermissionBroker()
    const turn = new AbortController()
    turn.abort()
    const dialog = heldDialog()
    expect(await broker.ask(request('e'), turn.signal, dialog.ask)).toBe('cancelled')
    expect(dialog.withdrawn).toBe(true)
  })

  it('passes on the asker’s failure when nobody answered', async () => {
    const broker = new PermissionBroker()
    const failing = () => Promise.reject(new Error('client went away'))
    await expect(broker.ask(request('d'), new AbortController().signal, failing)).rejects.toThrow(
      'client went away',
    )
    expect(broker.pending).toEqual([])
  })
})
