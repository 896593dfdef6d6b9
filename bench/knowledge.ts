// What project knowledge adds to the first model request (default tool mode): 20 skills with one-sentence
// descriptions, and a 200 KB AGENTS.md (capped), each against the same workspace without them.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnAgent } from '../test/helpers/acp-harness.js'
import type { ScriptedModelServer } from '../test/helpers/scripted-model.js'
import { makeTempDir } from '../test/helpers/temp.js'

export interface KnowledgeFigures {
  emptyBytes: number
  twentySkillsBytes: number
  bigAgentsMdBytes: number
}

async function firstRequestBytes(
  home: string,
  workspace: string,
  model: ScriptedModelServer,
): Promise<number> {
  const agent = spawnAgent({ home, args: ['--model', model.spec, '--log-level', 'warn'] })
  try {
    await agent.harness.initialize()
    const { sessionId } = await agent.harness.newSession(workspace)
    const mark = model.chatRequests().length
    await agent.harness.prompt(sessionId, 'Reply with one short greeting.')
    return model.chatRequests()[mark]?.bytes ?? Number.NaN
  } finally {
    await agent.harness.close()
  }
}

function write(path: string, text: string) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

export async function knowledgeFigures(home: string, model: ScriptedModelServer): Promise<KnowledgeFigures> {
  const dirs = [
    makeTempDir('punie-bench-ws-'),
    makeTempDir('punie-bench-ws-'),
    makeTempDir('punie-bench-ws-'),
  ]
  try {
    const [empty, skills, agents] = dirs.map((d) => d.path) as [string, string, string]
    for (let i = 0; i < 20; i++) {
      const name = `team-skill-${i}`
      write(
        join(skills, '.punie', 'skills', name, 'SKILL.md'),
        `---\nname: ${name}\ndescription: Handle task ${i} the way this team does. Use when the user asks for task ${i}.\n---\nSteps.\n`,
      )
    }
    let text = ''
    for (let i = 1; Buffer.byteLength(text) < 200 * 1024; i++)
      text += `Rule ${i}: keep functions short and clear.\n`
    write(join(agents, 'AGENTS.md'), text)
    return {
      emptyBytes: await firstRequestBytes(home, empty, model),
      twentySkillsBytes: await firstRequestBytes(home, skills, model),
      bigAgentsMdBytes: await firstRequestBytes(home, agents, model),
    }
  } finally {
    for (const dir of dirs) dir.remove()
  }
}
