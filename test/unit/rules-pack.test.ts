// The tdom/svcs example rule pack (examples/rules/tdom-svcs) over its own components: each rule fires on
// the bad example named after it and on nothing else there, and no rule fires on the good examples.
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkFiles, ProjectRules } from '../../src/rules/project-rules.js'
import { makeTempDir } from '../helpers/temp.js'

const PACK = resolve(import.meta.dirname, '../../examples/rules/tdom-svcs')
const ruleIds = [...readFileSync(join(PACK, 'rules.yaml'), 'utf8').matchAll(/^ {2}- id: (\S+)$/gm)].map(
  (m) => m[1] as string,
)

describe('the tdom/svcs rule pack', () => {
  const dir = makeTempDir()
  let rules: ProjectRules
  const check = async (files: string[]) => {
    const loaded = await rules.current()
    if (!loaded) throw new Error('no rules loaded')
    return checkFiles(loaded, {
      files: files.map((f) => join(dir.path, f)),
      read: async (file) => readFileSync(file, 'utf8'),
      display: (file) => file.slice(dir.path.length + 1),
      trusted: () => false,
      signal: new AbortController().signal,
    })
  }

  beforeAll(() => {
    mkdirSync(join(dir.path, '.punie'))
    cpSync(join(PACK, 'rules.yaml'), join(dir.path, '.punie', 'rules.yaml'))
    cpSync(join(PACK, 'good'), join(dir.path, 'good'), { recursive: true })
    cpSync(join(PACK, 'bad'), join(dir.path, 'bad'), { recursive: true })
    rules = new ProjectRules([dir.path])
  })
  afterAll(async () => {
    await rules.dispose()
    dir.remove()
  })

  it('loads every rule of the pack without a problem', async () => {
    const loaded = await rules.current()
    expect(loaded?.problems).toEqual([])
    expect(ruleIds.length).toBe(14)
    expect(loaded?.query.map((r) => r.rule.id).sort()).toEqual([...ruleIds].sort())
  })

  it('has one bad example per rule', () => {
    expect(readdirSync(join(PACK, 'bad')).sort()).toEqual(ruleIds.map((id) => `${id}.py`).sort())
  })

  it('finds nothing in the good components, services, middleware and routes', async () => {
    const report = await check(readdirSync(join(PACK, 'good')).map((f) => `good/${f}`))
    expect(report.issues).toEqual([])
    expect(report.notes).toEqual([])
  })

  for (const id of ruleIds) {
    it(`${id} fires on its bad example, and no other rule does`, async () => {
      const report = await check([`bad/${id}.py`])
      expect(report.issues.length).toBeGreaterThan(0)
      expect(new Set(report.issues.map((i) => i.rule))).toEqual(new Set([id]))
      for (const issue of report.issues) {
        expect(issue.file).toBe(`bad/${id}.py`)
        expect(issue.line).toBeGreaterThan(0)
        expect(issue.message).not.toMatch(/\{[a-z_]+\}/)
        expect(issue.suggestion).toBeTruthy()
      }
    })
  }
})
