// A session's project knowledge: its instructions file and its skills, read once and again only when a stat
// shows that something changed; with the texts the user sees of them (/skills, /context, the start line).
import type { Tool } from '../tools/define.js'
import { formatBytes } from '../tools/limits.js'
import { INSTRUCTIONS_CAP_BYTES } from './instructions.js'
import {
  type InstructionsResult,
  instructionsSignature,
  type LoadedInstructions,
  loadInstructions,
} from './instructions-load.js'
import { type SkillInfo, type SkillProblem, type SkillSource, skillPromptLines } from './skills.js'
import { EMPTY_CATALOG, loadSkills, type SkillCatalog, skillSources, skillsSignature } from './skills-load.js'
import { createLoadSkill } from './skills-tool.js'

export interface Knowledge {
  instructions?: LoadedInstructions
  /** Why an instructions file that was there was not loaded. */
  instructionProblems: string[]
  catalog: SkillCatalog
  /** load_skill, only when there is a skill: an empty workspace pays nothing. */
  tools: Tool[]
  /** The prompt's skills section; empty without skills. */
  skillLines: string[]
}

export const NO_KNOWLEDGE: Knowledge = {
  instructionProblems: [],
  catalog: EMPTY_CATALOG,
  tools: [],
  skillLines: [],
}

export interface KnowledgePlace {
  cwd: string
  /** The project root: the search for instructions stops there, and the project's skills are found there. */
  root: string
  /** The user's own skills folder (PUNIE_HOME/skills). */
  userSkills?: string
}

export class ProjectKnowledge {
  private readonly sources: SkillSource[]
  private current: Knowledge = NO_KNOWLEDGE
  private signatures: { instructions?: string; skills?: string } = {}

  constructor(private readonly place: KnowledgePlace) {
    this.sources = skillSources(place.root, place.userSkills)
  }

  get now(): Knowledge {
    return this.current
  }

  /** The knowledge as the files are now; read again only what a stat shows has changed. Never throws. */
  async refresh(): Promise<Knowledge> {
    const { cwd, root } = this.place
    const [instructionsSig, skillsSig] = await Promise.all([
      instructionsSignature(cwd, root).catch(() => 'error'),
      skillsSignature(this.sources).catch(() => 'error'),
    ])
    let next = this.current
    if (instructionsSig !== this.signatures.instructions) {
      const read = await loadInstructions(cwd, root).catch(
        (error: Error): InstructionsResult => ({
          problems: [`the instructions were not loaded: ${error.message}`],
        }),
      )
      const { instructions: _old, ...rest } = next
      next = {
        ...rest,
        ...(read.loaded ? { instructions: read.loaded } : {}),
        instructionProblems: read.problems,
      }
    }
    if (skillsSig !== this.signatures.skills) {
      const catalog = await loadSkills(this.sources, root).catch(
        (error: Error): SkillCatalog => ({
          ...EMPTY_CATALOG,
          problems: [{ file: root, line: 0, message: `the skills were not read: ${error.message}` }],
        }),
      )
      next = {
        ...next,
        catalog,
        tools: catalog.skills.length ? [createLoadSkill(catalog)] : [],
        skillLines: catalog.skills.length ? skillPromptLines(catalog.skills) : [],
      }
    }
    this.signatures = { instructions: instructionsSig, skills: skillsSig }
    this.current = next
    return next
  }
}

/** `file:line`, or the file alone for a problem of the whole file. */
export function problemPlace(problem: SkillProblem): string {
  return problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file
}

function instructionsLabel(instructions: LoadedInstructions): string {
  return instructions.capped
    ? `${instructions.display} (${formatBytes(instructions.bytes)}, capped at ${formatBytes(INSTRUCTIONS_CAP_BYTES)})`
    : `${instructions.display} (${formatBytes(instructions.bytes)})`
}

/** The line said at the start of a session, when there is anything to say. */
export function knowledgeStatus(k: Knowledge): string | undefined {
  const parts: string[] = []
  if (k.instructions) parts.push(`project instructions from ${instructionsLabel(k.instructions)}`)
  const count = k.catalog.skills.length
  if (count) parts.push(`${count} skill${count === 1 ? '' : 's'} (/skills lists them)`)
  const problems = [
    ...k.instructionProblems.map((p) => `⚠ ${p}`),
    ...k.catalog.problems.map((p) => `⚠ Skipped ${problemPlace(p)}: ${p.message}`),
  ]
  if (!parts.length && !problems.length) return undefined
  const loaded = parts.length ? [`Loaded ${parts.join(' and ')}; /context shows what the model sees.`] : []
  return [...loaded, ...problems].join('\n')
}

/** `/skills`: every skill with its description and where it is, then the shadowed and the skipped. */
export function skillsReport(k: Knowledge): string {
  const { skills, shadowed, problems } = k.catalog
  const lines: string[] = []
  if (!skills.length) {
    lines.push(
      'No skills. A skill is a folder with a SKILL.md (YAML front matter with `name` and `description`) in `.punie/skills/`, `.agents/skills/`, `.claude/skills/` or `~/.punie/skills/`.',
    )
  } else {
    lines.push(
      `Skills (${skills.length}); the model sees their names and descriptions and loads one with load_skill:`,
    )
    for (const skill of skills) lines.push(`- **${skill.name}** (${where(skill)}): ${skill.description}`)
  }
  if (shadowed.length) {
    lines.push('', 'Not loaded, a skill of the same name comes first:')
    for (const { skill, by } of shadowed)
      lines.push(`- ${skill.name} in ${skill.file} (${by.source.label} wins)`)
  }
  if (problems.length) {
    lines.push('', 'Skipped:')
    for (const problem of problems) lines.push(`- ${problemPlace(problem)}: ${problem.message}`)
  }
  return lines.join('\n')
}

function where(skill: SkillInfo): string {
  return `${skill.source.label}, ${skill.folder}`
}

/** The knowledge part of `/context`. */
export function knowledgeContextLines(k: Knowledge): string[] {
  const lines: string[] = []
  if (k.instructions) {
    const i = k.instructions
    lines.push(
      i.capped
        ? `- Project instructions: ${i.path}, ${formatBytes(i.bytes)} on disk, capped: the prompt carries the first ${formatBytes(i.keptBytes)} and says how to read the rest`
        : `- Project instructions: ${i.path}, ${formatBytes(i.bytes)}, whole in the system prompt`,
    )
  } else
    lines.push(
      '- Project instructions: none (AGENTS.md, PUNIE.md or CLAUDE.md from the cwd up to the project root)',
    )
  for (const problem of k.instructionProblems) lines.push(`  ⚠ ${problem}`)
  const count = k.catalog.skills.length
  lines.push(
    count
      ? `- Skills: ${count}, names and descriptions in the system prompt (${formatBytes(Buffer.byteLength(k.skillLines.join('\n')))}); a body reaches the model only through load_skill`
      : '- Skills: none',
  )
  if (k.catalog.problems.length)
    lines.push(`  ⚠ ${k.catalog.problems.length} SKILL.md skipped: /skills says why`)
  return lines
}
