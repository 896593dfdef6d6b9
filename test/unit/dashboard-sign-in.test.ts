import { describe, expect, it } from 'vitest'
import { CODE_TTL_MS, COOKIE_TTL_MS, SignIns } from '../../src/server/dashboard/sign-in.js'

describe('dashboard sign-in', () => {
  it('trades a code for a cookie once, and only within its minute', () => {
    let now = 1_000_000
    const signIns = new SignIns(() => now)
    const { code } = signIns.issue()
    const cookie = signIns.redeem(code)
    expect(cookie).toMatch(/^[\w-]{40,}$/)
    expect(signIns.signedIn(cookie)).toBe(true)
    expect(signIns.redeem(code)).toBeUndefined()

    const late = signIns.issue().code
    now += CODE_TTL_MS + 1
    expect(signIns.redeem(late)).toBeUndefined()
    expect(signIns.redeem(undefined)).toBeUndefined()
    expect(signIns.redeem('made-up')).toBeUndefined()
  })

  it('ends a cookie after its lifetime or at sign-out, and never accepts a code as a cookie', () => {
    let now = 0
    const signIns = new SignIns(() => now)
    const { code } = signIns.issue()
    expect(signIns.signedIn(code)).toBe(false)
    const cookie = signIns.redeem(code) as string
    const other = signIns.redeem(signIns.issue().code) as string
    signIns.signOut(other)
    expect(signIns.signedIn(other)).toBe(false)
    expect(signIns.signedIn(cookie)).toBe(true)
    now += COOKIE_TTL_MS + 1
    expect(signIns.signedIn(cookie)).toBe(false)
  })

  it('keeps a bounded number of unused links: a flood of requests drops the oldest', () => {
    const signIns = new SignIns()
    const first = signIns.issue().code
    for (let i = 0; i < 100; i++) signIns.issue()
    expect(signIns.redeem(first)).toBeUndefined()
    expect(signIns.redeem(signIns.issue().code)).toBeDefined()
  })
})
