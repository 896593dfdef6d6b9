// Agent Skills (agentskills.io): parsing a SKILL.md, the rules its front matter must follow, which of two skills
// of one name counts, and what of them the prompt carries. Pure; skills-load.ts finds and reads the files.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'

/** Where a skill was found; the order of SKILL_SOURCES is the precedence. */
export interface SkillSource {
  /** The folder holding one folder per skill. */
  dir: string
  /** How /skills and the prompt name the source: `.punie/skills`, `~/.punie/skills`. */
  label: string
  origin: 'user' | 'project'
}

export interface SkillInfo {
  name: string
  description: string
  /** The skill's folder (absolute): its SKILL.md and bundled files. */
  folder: string
  /** SKILL.md (absolute). */
  file: string
  source: SkillSource
}

export interface SkillProblem {
  file: string
  line: number
  message: string
}

export interface ParsedSkill {
  name: string
  description: string
  body: string
  /** The file's line where the body starts. */
  bodyLine: number
}

export const MAX_NAME_CHARS = 64
export const MAX_DESCRIPTION_CHARS = 1024

/** The spec's rules for a name; undefined when it follows them. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty'
  if (name.length > MAX_NAME_CHARS)
    return `the name is ${name.length} characters long, over ${MAX_NAME_CHARS}`
  if (!/^[a-z0-9-]+$/.test(name)) return 'a name has only lowercase letters, digits and hyphens'
  if (name.startsWith('-') || name.endsWith('-')) return 'a name does not start or end with a hyphen'
  if (name.includes('--')) return 'a name has no two hyphens in a row'
  return undefined
}

type Parsed = { ok: true; skill: ParsedSkill } | { ok: false; line: number; message: string }

/**
 * A SKILL.md's front matter (between `---` lines at the top) and body. `folderName` is the folder the file is in,
 * which the name must match. A problem carries the file's 1-based line.
 */
export function parseSkill(text: string, folderName: string): Parsed {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text
  const lines = source.split('\n')
  if (lines[0]?.trimEnd() !== '---')
    return { ok: false, line: 1, message: 'a SKILL.md starts with YAML front matter between two "---" lines' }
  const end = lines.findIndex((line, i) => i > 0 && line.trimEnd() === '---')
  if (end < 0) return { ok: false, line: 1, message: 'the front matter has no closing "---" line' }
  const yaml = lines.slice(1, end).join('\n')
  // The front matter starts on the file's second line.
  const lineOf = (counter: LineCounter, offset: number) => counter.linePos(offset).line + 1
  const counter = new LineCounter()
  const doc = parseDocument(yaml, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error)
    return {
      ok: false,
      line: lineOf(counter, error.pos[0]),
      message: `invalid YAML: ${firstLine(error.message)}`,
    }
  if (!isMap(doc.contents))
    return {
      ok: false,
      line: 2,
      message: 'the front matter is not a mapping of fields (name: …, description: …)',
    }
  const field = (key: string) => {
    const pair = (doc.contents as { items: { key: unknown; value: unknown }[] }).items.find(
      (p) => isScalar(p.key) && p.key.value === key,
    )
    if (!pair) return undefined
    const value = pair.value
    const at =
      isScalar(value) && value.range
        ? value.range[0]
        : isScalar(pair.key) && pair.key.range
          ? pair.key.range[0]
          : 0
    return { value: isScalar(value) ? value.value : value, line: lineOf(counter, at) }
  }
  const name = field('name')
  if (name === undefined) return { ok: false, line: 2, message: 'the front matter has no "name" field' }
  if (typeof name.value !== 'string') return { ok: false, line: name.line, message: '"name" is not a string' }
  const bad = nameProblem(name.value)
  if (bad)
    return { ok: false, line: name.line, message: `invalid name ${JSON.stringify(name.value)}: ${bad}` }
  if (name.value !== folderName)
    return {
      ok: false,
      line: name.line,
      message: `the name ${JSON.stringify(name.value)} does not match its folder ${JSON.stringify(folderName)}`,
    }
  const description = field('description')
  if (description === undefined)
    return { ok: false, line: 2, message: 'the front matter has no "description" field' }
  if (typeof description.value !== 'string' || description.value.trim() === '')
    return { ok: false, line: description.line, message: '"description" is not a non-empty string' }
  if (description.value.length > MAX_DESCRIPTION_CHARS)
    return {
      ok: false,
      line: description.line,
      message: `"description" is ${description.value.length} characters long, over ${MAX_DESCRIPTION_CHARS}`,
    }
  const body = lines
    .slice(end + 1)
    .join('\n')
    .replace(/^\s*\n/, '')
  return {
    ok: true,
    skill: { name: name.value, description: description.value.trim(), body, bodyLine: end + 2 },
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}

export interface MergedSkills {
  skills: SkillInfo[]
  /** Skills of a name already taken by an earlier source: not loaded. */
  shadowed: { skill: SkillInfo; by: SkillInfo }[]
}

/** The first skill of each name counts (sources are given in precedence order); the others are shadowed. */
export function mergeSkills(found: readonly SkillInfo[]): MergedSkills {
  const byName = new Map<string, SkillInfo>()
  const shadowed: MergedSkills['shadowed'] = []
  for (const skill of found) {
    const first = byName.get(skill.name)
    if (first) shadowed.push({ skill, by: first })
    else byName.set(skill.name, skill)
  }
  return { skills: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), shadowed }
}

/** What the prompt carries of the skills at most: 20 skills with one-line descriptions fit. */
export const SKILLS_PROMPT_BUDGET_BYTES = 2048
/** A description longer than this is cut in the prompt; load_skill shows it whole. */
export const PROMPT_DESCRIPTION_CHARS = 120
/** Past the budget, names take up to this many bytes; then only a count. */
const NAMES_BUDGET_BYTES = 400

/**
 * The prompt's lines for the skills: a name and a short description each up to the budget, then names only, then a
 * count. The caller adds them only when there is a skill.
 */
export function skillPromptLines(
  skills: readonly SkillInfo[],
  budget = SKILLS_PROMPT_BUDGET_BYTES,
): string[] {
  const lines = [
    'Skills: instructions for particular tasks. When a task matches one, call load_skill(name) first and follow it:',
  ]
  let used = 0
  let i = 0
  for (; i < skills.length; i++) {
    const skill = skills[i] as SkillInfo
    const line = `- ${skill.name}: ${shorten(oneLine(skill.description), PROMPT_DESCRIPTION_CHARS)}`
    const bytes = Buffer.byteLength(line) + 1
    if (used + bytes > budget) break
    lines.push(line)
    used += bytes
  }
  const names: string[] = []
  let nameBytes = 0
  for (; i < skills.length && nameBytes < NAMES_BUDGET_BYTES; i++) {
    names.push((skills[i] as SkillInfo).name)
    nameBytes += (skills[i] as SkillInfo).name.length + 2
  }
  if (names.length) lines.push(`- also: ${names.join(', ')}`)
  if (i < skills.length)
    lines.push(`- and ${skills.length - i} more: load_skill() without a name lists them all`)
  return lines
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

export function shorten(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1).trimEnd()}…`
}
