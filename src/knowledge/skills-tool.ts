// load_skill: the second step of progressive disclosure. The prompt names the skills; this tool gives a skill's
// instructions when the model picks it, with where its folder is and which files it bundles. A bundled file is
// read here too, confined to the skill's folder, because a skill in ~/.punie/skills lies outside the workspace
// that read_file serves; running a bundled script is run_command's, with its permission, as always.
import { readdir } from 'node:fs/promises'
import { isAbsolute, join, normalize, relative, sep } from 'node:path'
import { z } from 'zod'
import { defineTool, type Tool, type ToolContext } from '../tools/define.js'
import { byteLength, formatBytes, headBytes } from '../tools/limits.js'
import { isWithin, openInside } from '../workspace/paths.js'
import { parseSkill, type SkillInfo } from './skills.js'
import { readSkillFile, type SkillCatalog } from './skills-load.js'

export const LOAD_SKILL = 'load_skill'
/** Bundled files listed at most; a skill's folder is small. */
const MAX_LISTED_FILES = 60
/** How deep the listing looks into a skill's folder. */
const MAX_DEPTH = 4
/** Left under the result cap for the lines around the body. */
const MARKER_ROOM = 2048

const output = z.object({
  name: z.string().optional(),
  source: z.string().optional(),
  /** The skill's folder as read_file or run_command take it: relative to the workspace, or absolute outside it. */
  folder: z.string().optional(),
  insideWorkspace: z.boolean().optional(),
  instructions: z.string().optional(),
  files: z.array(z.string()).optional(),
  moreFiles: z.number().int().optional(),
  file: z
    .object({ path: z.string(), content: z.string(), bytes: z.number().int(), truncated: z.boolean() })
    .optional(),
  truncated: z.boolean().optional(),
  /** Without a name: every skill. */
  skills: z.array(z.object({ name: z.string(), description: z.string(), source: z.string() })).optional(),
})
type Output = z.infer<typeof output>

export function createLoadSkill(catalog: SkillCatalog): Tool {
  const byName = new Map(catalog.skills.map((s) => [s.name, s]))
  return defineTool({
    name: LOAD_SKILL,
    description:
      'Load a skill’s instructions (the prompt lists the skills), or with `file` one file the skill bundles. With no name, list every skill.',
    kind: 'read',
    permission: 'never',
    input: z.object({
      name: z.string().optional(),
      file: z.string().optional().describe('A path inside the skill’s folder, e.g. reference.md'),
    }),
    output,
    title: ({ name, file }) => (name ? `Load skill ${name}${file ? `: ${file}` : ''}` : 'List the skills'),
    render: renderLoaded,
    run: async ({ name, file }, ctx) => {
      if (!name)
        return {
          skills: catalog.skills.map((s) => ({
            name: s.name,
            description: s.description,
            source: s.source.label,
          })),
        }
      const skill = byName.get(name)
      if (!skill)
        throw new Error(
          `no skill ${JSON.stringify(name)}; the skills are: ${[...byName.keys()].join(', ') || '(none)'}`,
        )
      const where = placeOf(skill, ctx)
      if (file !== undefined) return { ...where, file: await readBundled(skill, file, ctx) }
      const text = await readSkillFile(skill.source.dir, skill.file)
      const parsed = parseSkill(text, name)
      if (!parsed.ok) throw new Error(`${skill.file}:${parsed.line}: ${parsed.message}`)
      const room = Math.max(1024, ctx.settings.maxToolResultBytes - MARKER_ROOM)
      const body = parsed.skill.body
      const truncated = byteLength(body) > room
      const listing = await bundledFiles(skill.folder)
      return {
        ...where,
        instructions: truncated
          ? `${headBytes(body, room)}\n[cut: the instructions are ${formatBytes(byteLength(body))}; read SKILL.md from line ${parsed.skill.bodyLine} for the rest]`
          : body,
        truncated,
        files: listing.files,
        ...(listing.more ? { moreFiles: listing.more } : {}),
      }
    },
  })
}

function placeOf(skill: SkillInfo, ctx: ToolContext) {
  const insideWorkspace = ctx.workspace.roots.some((root) => isWithin(root, skill.folder))
  return {
    name: skill.name,
    source: skill.source.label,
    folder: insideWorkspace ? ctx.workspace.display(skill.folder) : skill.folder,
    insideWorkspace,
  }
}

/** A file of the skill's folder, refused when it (or a symlink in its path) leads out of the folder. */
async function readBundled(
  skill: SkillInfo,
  file: string,
  ctx: ToolContext,
): Promise<NonNullable<Output['file']>> {
  const path = normalize(file)
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`))
    throw new Error(`${JSON.stringify(file)}: give a path inside the skill's folder, such as reference.md`)
  const { handle } = await openInside([skill.folder], join(skill.folder, path), 'read').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error(`skill ${skill.name} has no file ${path}`)
      throw error
    },
  )
  try {
    const { size } = await handle.stat()
    const cap = Math.max(1024, ctx.settings.maxToolResultBytes - MARKER_ROOM)
    const buffer = Buffer.alloc(Math.min(size, cap + 4))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const head = buffer.subarray(0, bytesRead)
    if (head.includes(0))
      return {
        path,
        content: `(a binary file of ${formatBytes(size)}: not shown)`,
        bytes: size,
        truncated: false,
      }
    const content = headBytes(head.toString('utf8'), cap)
    return { path, content, bytes: size, truncated: byteLength(content) < size }
  } finally {
    await handle.close()
  }
}

/** The skill's files besides SKILL.md, relative to its folder, breadth first. */
async function bundledFiles(folder: string): Promise<{ files: string[]; more: number }> {
  const files: string[] = []
  let more = 0
  let level = [folder]
  for (let depth = 0; depth < MAX_DEPTH && level.length; depth++) {
    const next: string[] = []
    for (const dir of level) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) next.push(path)
        else if (depth > 0 || entry.name !== 'SKILL.md') {
          if (files.length < MAX_LISTED_FILES) files.push(relative(folder, path))
          else more++
        }
      }
    }
    level = next
  }
  return { files, more }
}

function renderLoaded(out: Output): string {
  if (out.skills)
    return out.skills.length
      ? out.skills.map((s) => `- ${s.name} (${s.source}): ${s.description}`).join('\n')
      : 'No skills are installed.'
  if (out.file) {
    const note = out.file.truncated ? `\n[cut: the file is ${formatBytes(out.file.bytes)}]` : ''
    return `${out.file.content}${note}`
  }
  const example = `${out.folder}/${out.files?.[0] ?? 'FILE'}`
  const read = out.insideWorkspace
    ? `read them with read_file, e.g. path "${example}"`
    : `outside the workspace: read them with load_skill(name="${out.name}", file="${out.files?.[0] ?? 'FILE'}")`
  const run = out.files?.some((f) => /\.(py|sh|js|mjs|ts|rb|pl)$/.test(f))
    ? `; run a script with run_command, by its path (e.g. python3 ${out.folder}/scripts/name.py)`
    : ''
  const files = out.files?.length
    ? `\n\nFiles in the skill's folder ${out.folder} (${read}${run}):\n${out.files.map((f) => `- ${f}`).join('\n')}${out.moreFiles ? `\n- and ${out.moreFiles} more` : ''}`
    : `\n\nThe skill's folder: ${out.folder}`
  return `Skill ${out.name} (from ${out.source}):\n\n${(out.instructions ?? '').trimEnd()}${files}`
}
