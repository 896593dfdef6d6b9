import { describe, expect, it } from 'vitest'
import { decidePermission, exactScope, type Grants } from '../../src/tools/permission.js'
import { isSensitivePath } from '../../src/tools/sensitive-paths.js'

const writeFile = { name: 'write_file', kind: 'edit', permission: 'ask' } as const
const none: Grants = { allowed: new Set(), rejected: new Set() }

describe('sensitive paths', () => {
  it('finds .git/, .punie/ and .gitattributes at any depth, however the path is written', () => {
    const sensitive = [
      '.git/config',
      './.git/config',
      'a/../.git/config',
      '.GIT/hooks/pre-commit',
      '.Git/',
      '.git',
      'sub/module/.git/config',
      '.punie/config.json',
      'pkg/.punie/skills/x.md',
      '.gitattributes',
      'src/.GitAttributes',
      '.git./config',
      '.g\u200cit/config',
      '.git\\config',
      'a//.git//config',
      'AGENTS.md',
      'pkg/agents.md',
      'CLAUDE.md',
      'docs/../PUNIE.md',
      '.claude/skills/x/SKILL.md',
      'sub/.agents/skills/y/run.sh',
      '.agents/Skills',
    ]
    expect(sensitive.filter((p) => !isSensitivePath(p))).toEqual([])
    const ordinary = [
      'src/git.py',
      '.github/workflows/ci.yml',
      '.gitignore',
      'x/.git-blame',
      'punie/x',
      '.git/../a',
      'pyproject.toml',
      'conftest.py',
      'AGENTS.md.bak',
      'docs/agents-guide.md',
      '.claude/settings.json',
      '.agents/notes.md',
      'skills/x/SKILL.md',
    ]
    expect(ordinary.filter(isSensitivePath)).toEqual([])
  })

  it('asks for a sensitive write in accept-edits and after "always allow", refuses it read-only, lets yolo through', () => {
    const call = { scope: exactScope('.git/config'), sensitive: ['.git/config'] }
    const granted: Grants = { allowed: new Set(['write_file:.git/config']), rejected: new Set() }
    expect(decidePermission('accept-edits', writeFile, call, none).action).toBe('ask')
    expect(decidePermission('ask', writeFile, call, granted)).toMatchObject({ action: 'ask', allowKey: null })
    expect(decidePermission('read-only', writeFile, call, none).action).toBe('deny')
    expect(decidePermission('yolo', writeFile, call, none).action).toBe('allow')
    const lint = { name: 'lint', kind: 'read', permission: 'never' } as const
    expect(
      decidePermission('accept-edits', lint, { scope: exactScope('*'), sensitive: ['.git/x'] }, none).action,
    ).toBe('ask')
    expect(
      decidePermission('read-only', lint, { scope: exactScope('*'), sensitive: ['.git/x'] }, none).action,
    ).toBe('deny')
  })
})
