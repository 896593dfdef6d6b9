// `punie tools` derives when each tool asks from its definition: `permission`, and `asks` for tools that ask
// through what they write or call.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { listedTools, toolListings, whenItAsks } from '../../src/cli/tools-command.js'

describe('the tool listing', () => {
  const listings = toolListings()
  const asks = Object.fromEntries(listings.map((l) => [l.name, l.asks]))

  it('lists execute_code, and says that format, rename_symbol and lint with fix ask before writing', () => {
    expect(asks).toMatchObject({
      execute_code: 'per tool it calls',
      format: 'before writing',
      rename_symbol: 'before writing',
      lint: 'when fix=true',
      write_file: 'yes',
      run_tests: 'yes',
      read_file: 'no',
    })
  })

  it('never says "no" for a tool that edits, deletes or moves files', () => {
    const writers = listings.filter((l) => l.kind === 'edit' || l.kind === 'delete' || l.kind === 'move')
    expect(writers.length).toBeGreaterThan(0)
    for (const w of writers) expect(w.asks, w.name).not.toBe('no')
  })

  it('names in `asks.when` a boolean input the tool really has', () => {
    for (const tool of listedTools()) {
      if (tool.asks?.via !== 'writes' || !tool.asks.when) continue
      const field = (tool.input as z.ZodObject).shape[tool.asks.when]
      expect(field, `${tool.name}.${tool.asks.when}`).toBeDefined()
      expect(z.toJSONSchema(field as z.ZodType), tool.name).toMatchObject({ type: 'boolean' })
    }
  })

  it('reads "yes" from permission ask, unless asks says when (a change set asks only when it writes)', () => {
    expect(whenItAsks({ permission: 'ask' })).toBe('yes')
    expect(whenItAsks({ permission: 'ask', asks: { via: 'writes', when: 'fix' } })).toBe('when fix=true')
    expect(whenItAsks({ permission: 'ask', asks: { via: 'writes' } })).toBe('before writing')
    expect(whenItAsks({ permission: 'never' })).toBe('no')
  })
})
