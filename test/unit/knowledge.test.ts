// The pure half of project knowledge: which instructions file counts, how it is capped, how a SKILL.md is judged,
// which of two skills of one name counts, and what the prompt carries of many skills.
import { describe, expect, it } from 'vitest'
import {
  capInstructions,
  chooseInstructionFile,
  INSTRUCTIONS_CAP_BYTES,
  instructionCandidates,
} from '../../src/knowledge/instructions.js'
import { knowledgeStatus, NO_KNOWLEDGE } from '../../src/knowledge/instructions-and-skills.js'
import {
  mergeSkills,
  nameProblem,
  parseSkill,
  SKILLS_PROMPT_BUDGET_BYTES,
  type SkillInfo,
  skillPromptLines,
} from '../../src/knowledge/skills.js'

const info = (name: string, label: string, description = `About ${name}.`): SkillInfo => ({
  name,
  description,
  folder: `/s/${label}/${name}`,
  file: `/s/${label}/${name}/SKILL.md`,
  source: { dir: `/s/${label}`, label, origin: label.startsWith('~') ? 'user' : 'project' },
})

describe('instructions files', () => {
  it('tries each directory from the cwd up to the root, PUNIE.md then AGENTS.md, and CLAUDE.md after all of them', () => {
    expect(instructionCandidates('/r/a/b', '/r')).toEqual([
      '/r/a/b/PUNIE.md',
      '/r/a/b/AGENTS.md',
      '/r/a/PUNIE.md',
      '/r/a/AGENTS.md',
      '/r/PUNIE.md',
      '/r/AGENTS.md',
      '/r/a/b/CLAUDE.md',
      '/r/a/CLAUDE.md',
      '/r/CLAUDE.md',
    ])
    // Never above the project root, nor outside it.
    expect(instructionCandidates('/elsewhere', '/r')).toEqual([
      '/elsewhere/PUNIE.md',
      '/elsewhere/AGENTS.md',
      '/elsewhere/CLAUDE.md',
    ])
    const files = new Set(['/r/AGENTS.md', '/r/a/b/CLAUDE.md'])
    expect(chooseInstructionFile(instructionCandidates('/r/a/b', '/r'), (p) => files.has(p))).toBe(
      '/r/AGENTS.md',
    )
  })

  it('keeps a file under the cap whole', () => {
    const text = '# Rules\nbe nice\n'
    expect(capInstructions(text, Buffer.byteLength(text), 'AGENTS.md')).toEqual({
      text,
      capped: false,
      bytes: 16,
      keptBytes: 16,
    })
  })

  it('cuts a long file at a line boundary within the cap, and says how much is left and where to read on', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i + 1} ${'é'.repeat(30)}`)
    const text = `${lines.join('\n')}\n`
    const capped = capInstructions(text, Buffer.byteLength(text), 'docs/AGENTS.md', 4096)
    expect(capped.capped).toBe(true)
    expect(capped.keptBytes).toBeLessThanOrEqual(4096)
    const kept = capped.text.split('\n')
    const marker = kept.at(-1) ?? ''
    const last = kept.at(-2) ?? ''
    expect(lines).toContain(last)
    const n = lines.indexOf(last) + 1
    expect(marker).toContain(`(lines 1-${n})`)
    expect(marker).toContain(`read_file path="docs/AGENTS.md" line=${n + 1}`)
    expect(capped.text).not.toContain('\uFFFD')
  })

  it('keeps the beginning of one line longer than the cap, without splitting a character', () => {
    const text = '€'.repeat(INSTRUCTIONS_CAP_BYTES)
    const capped = capInstructions(text, Buffer.byteLength(text), 'AGENTS.md')
    expect(capped.capped).toBe(true)
    expect(capped.keptBytes).toBeLessThanOrEqual(INSTRUCTIONS_CAP_BYTES)
    expect(capped.text).not.toContain('\uFFFD')
  })
})

describe('SKILL.md', () => {
  it('reads the name, the description and the body, and the line the body starts on', () => {
    const parsed = parseSkill(
      '---\nname: pdf-forms\ndescription: >\n  Fill PDF forms.\n---\n\n# Steps\n1. open\n',
      'pdf-forms',
    )
    expect(parsed).toEqual({
      ok: true,
      skill: { name: 'pdf-forms', description: 'Fill PDF forms.', body: '# Steps\n1. open\n', bodyLine: 6 },
    })
    // CRLF files and a byte-order mark are common on Windows.
    const crlf = parseSkill('\uFEFF---\r\nname: a\r\ndescription: d\r\n---\r\nbody\r\n', 'a')
    expect(crlf.ok && crlf.skill.description).toBe('d')
  })

  it('names the file line of each problem', () => {
    const cases: [string, number, RegExp][] = [
      ['# no front matter\n', 1, /starts with YAML front matter/],
      ['---\nname: x\n', 1, /no closing/],
      ['---\nname: x\ndescription: [oops\n---\n', 3, /invalid YAML/],
      ['---\nname: x\nname: y\n---\n', 3, /invalid YAML/],
      ['---\n- a\n- b\n---\n', 2, /not a mapping/],
      ['---\ndescription: d\n---\n', 2, /no "name"/],
      ['---\ndescription: d\nname: X-Y\n---\n', 3, /lowercase/],
      ['---\nname: other\ndescription: d\n---\n', 2, /does not match its folder "x"/],
      ['---\nname: x\n---\n', 2, /no "description"/],
      ['---\nname: x\ndescription: ""\n---\n', 3, /non-empty/],
      [`---\nname: x\ndescription: ${'d'.repeat(1025)}\n---\n`, 3, /over 1024/],
    ]
    for (const [text, line, message] of cases) {
      const parsed = parseSkill(text, 'x')
      expect(parsed.ok, text).toBe(false)
      if (parsed.ok) continue
      expect(parsed.line, text).toBe(line)
      expect(parsed.message, text).toMatch(message)
    }
  })

  it('follows the spec on names', () => {
    for (const good of ['a', 'pdf-forms', 'v2-api', 'x'.repeat(64)])
      expect(nameProblem(good), good).toBeUndefined()
    for (const bad of ['', 'PDF', 'a_b', '-a', 'a-', 'a--b', 'a b', '../x', 'x'.repeat(65), 'ünï'])
      expect(nameProblem(bad), bad).toBeDefined()
  })
})

describe('skills together', () => {
  it('lets the first source win a name and reports the others as shadowed', () => {
    const merged = mergeSkills([
      info('b', '~/.punie/skills'),
      info('a', '.punie/skills'),
      info('b', '.claude/skills'),
    ])
    expect(merged.skills.map((s) => `${s.name}@${s.source.label}`)).toEqual([
      'a@.punie/skills',
      'b@~/.punie/skills',
    ])
    expect(merged.shadowed.map((s) => `${s.skill.source.label}<${s.by.source.label}`)).toEqual([
      '.claude/skills<~/.punie/skills',
    ])
  })

  it('keeps the prompt lines within the budget: descriptions, then names, then a count', () => {
    const many = Array.from({ length: 300 }, (_, i) => info(`skill-${i}`, '.punie/skills', 'x'.repeat(500)))
    const lines = skillPromptLines(many)
    const described = lines.filter((l) => /^- skill-\d+: /.test(l))
    expect(described.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(
      SKILLS_PROMPT_BUDGET_BYTES,
    )
    // A long description is cut in the prompt.
    expect(described[0]?.length).toBeLessThanOrEqual(140)
    expect(lines.find((l) => l.startsWith('- also: '))).toBeDefined()
    expect(lines.at(-1)).toMatch(/^- and \d+ more: load_skill\(\) without a name lists them all$/)
    expect(lines.join('\n').length).toBeLessThanOrEqual(SKILLS_PROMPT_BUDGET_BYTES + 600)
    // A description cannot add lines to the prompt.
    expect(skillPromptLines([info('a', 'x', 'one\n- two: fake\nthree')])[1]).toBe(
      '- a: one - two: fake three',
    )
  })

  it('says nothing at the start of a session that has no knowledge', () => {
    expect(knowledgeStatus(NO_KNOWLEDGE)).toBeUndefined()
  })
})
