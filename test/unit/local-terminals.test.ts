import { describe, expect, it } from 'vitest'
import { LocalTerminals } from '../../src/workspace/local-terminals.js'

describe('LocalTerminals', () => {
  it('keeps the newest output within the byte limit and says it dropped some', async () => {
    const terminals = new LocalTerminals()
    const id = terminals.create({
      command: '/bin/sh',
      args: ['-c', 'for i in $(seq 1 200); do echo line-$i; done'],
      outputByteLimit: 64,
    })
    await terminals.waitForExit(id)
    const out = terminals.output(id)
    expect(out.truncated).toBe(true)
    expect(Buffer.byteLength(out.output)).toBeLessThanOrEqual(64)
    expect(out.output.endsWith('line-200\n')).toBe(true)
    expect(out.exitStatus).toEqual({ exitCode: 0, signal: null })
    await terminals.releaseAll()
  })

  it('extends the inherited environment instead of replacing it, and runs without a shell when given args', async () => {
    const terminals = new LocalTerminals()
    const id = terminals.create({
      command: process.execPath,
      args: ['-e', 'console.log(process.env.PATH ? "has PATH" : "no PATH", process.env.EXTRA)'],
      env: { EXTRA: 'x1' },
    })
    await terminals.waitForExit(id)
    expect(terminals.output(id).output.trim()).toBe('has PATH x1')
  })

  it('reports a program that cannot start as exit code 127 with the reason', async () => {
    const terminals = new LocalTerminals()
    const id = terminals.create({ command: '/no/such/program' })
    expect(await terminals.waitForExit(id)).toEqual({ exitCode: 127, signal: null })
    expect(terminals.output(id).output).toMatch(/ENOENT/)
  })

  it('refuses unknown terminal ids', () => {
    expect(() => new LocalTerminals().output('nope')).toThrow(/no terminal nope/)
  })
})
