import { beforeAll, describe, expect, it } from 'vitest'
import { loadBashParser, type ParseBash } from '../../src/tools/bash-parser.js'
import { commandScope } from '../../src/tools/command-scope.js'
import { decidePermission, type Grants, grantKey } from '../../src/tools/permission.js'

const runCommand = { name: 'run_command', kind: 'execute', permission: 'ask' } as const
let parse: ParseBash

beforeAll(async () => {
  parse = await loadBashParser()
})

/** Grants as "always allow" on `granted` leaves them; then how the policy answers `command`. */
function afterAllowAlways(granted: string, command: string) {
  const grant = commandScope(granted, parse).allow
  const grants: Grants = { allowed: new Set(grant ? [grantKey(runCommand, grant)] : []), rejected: new Set() }
  return decidePermission('ask', runCommand, { scope: commandScope(command, parse), sensitive: [] }, grants)
    .action
}

function afterRejectAlways(rejected: string, command: string) {
  const grants: Grants = {
    allowed: new Set(),
    rejected: new Set([grantKey(runCommand, commandScope(rejected, parse).reject)]),
  }
  return decidePermission('ask', runCommand, { scope: commandScope(command, parse), sensitive: [] }, grants)
    .action
}

/** [granted, then tried]: none of these may run on the earlier grant. */
const MUST_ASK: [string, string][] = [
  // the 16 variants of the issue
  ['ls', 'ls && touch X'],
  ['ls', 'ls || touch X'],
  ['ls', 'ls; touch X'],
  ['ls', 'ls | sh'],
  ['ls', 'ls $(touch X)'],
  ['ls', 'ls `touch X`'],
  ['ls', 'ls\ntouch X'],
  ['ls', 'ls & touch X'],
  ['ls', 'ls > f'],
  ['ls', 'ls >> f'],
  ['ls', 'ls < /etc/passwd'],
  ['ls', 'ls <(touch X)'],
  ['ls', '(ls; touch X)'],
  ['ls', '{ ls; touch X; }'],
  ['python3 -V', 'python3 -c "import os"'],
  ['python3 -V', 'python3 evil.py'],
  // more: quoting, line continuations, expansions, assignments, wrappers
  ['ls', "'ls' && touch X"],
  ['ls', '"ls"; touch X'],
  ['ls', 'l\\s && touch X'],
  ['ls', 'ls \\\n&& touch X'],
  ['ls', 'ls \\\n -la'],
  ['ls', 'ls $HOME'],
  ['ls', 'ls $' + '{HOME}'],
  ['ls', 'ls "$HOME"'],
  ['ls', 'ls $((1+1))'],
  ['ls', "ls $'\\x41'"],
  ['ls', 'FOO=x ls'],
  ['ls', 'LD_PRELOAD=./evil.so ls'],
  ['ls', 'PATH=. ls'],
  ['ls', 'ls <<EOF\nhi\nEOF'],
  ['ls', 'ls <<< hi'],
  ['ls', 'ls 2>&1'],
  ['ls', 'ls &'],
  ['ls', '! ls'],
  ['ls', 'if ls; then touch X; fi'],
  ['ls', 'ls # && touch X'],
  ['ls', 'ls; '],
  ['ls', './ls'],
  ['ls', '/tmp/ls'],
  ['ls', '$X'],
  ['ls', '$(echo ls)'],
  ['ls', 'l* -la'],
  ['eval ls', 'eval "touch X"'],
  ['exec ls', 'exec sh'],
  ['env', 'env sh -c "touch X"'],
  ['env', 'env FOO=1 ls'],
  ['xargs echo', 'xargs sh -c "touch X"'],
  ['sudo ls', 'sudo rm -rf /'],
  ['command ls', 'command touch X'],
  ['builtin echo', 'builtin eval "touch X"'],
  ['sh -c ls', 'sh -c "touch X"'],
  ['bash script.sh', 'bash other.sh'],
  ['node -v', 'node -e "process.exit()"'],
  ['find . -name x', 'find . -exec touch X ;'],
  ['sed -n 1p f', "sed -i 's/a/b/' f"],
  ['awk 1 f', 'awk \'BEGIN{system("touch X")}\''],
  ['git status', 'git -c core.fsmonitor=touch\\ X status'],
  ['git status', 'git push'],
  ['git --version', 'git -c alias.x=!sh x'],
  ['uv run pytest', 'uv run sh -c "touch X"'],
  ['npx prettier .', 'npx evil'],
  ['npm run test', 'npm run deploy'],
  ['nice ls', 'nice touch X'],
  ['timeout 5 ls', 'timeout 5 touch X'],
  ['python3.12 -V', 'python3.12 -c 1'],
  ['cp a b', 'cp evil .git/config'],
  ['tee x', 'tee .git/hooks/pre-commit'],
  ['git diff', 'git diff --output=.git/config'],
  ['ln -s a b', 'ln -s /tmp/x .punie'],
  // expansions the user did not see, and a short option written with its value
  ['cp a b', 'cp a .gi?/hooks'],
  ['cp a b', 'cp a .g*/config'],
  ['cp a b', 'cp a .{git,x}/config'],
  ['ls', 'ls ~'],
  ['sort -o b a', 'sort -o.git/config a'],
]

describe('command scopes on a real bash parse', () => {
  it('asks for every variant that an earlier "always allow" did not show the user', () => {
    const ran = MUST_ASK.filter(([granted, command]) => afterAllowAlways(granted, command) !== 'ask')
    expect(ran).toEqual([])
    expect(MUST_ASK.length).toBeGreaterThanOrEqual(60)
  })

  it('still lets the same simple command, with other arguments, through on a grant', () => {
    expect(afterAllowAlways('ls', 'ls -la src')).toBe('allow')
    expect(afterAllowAlways('ls', "ls 'my dir'")).toBe('allow')
    expect(afterAllowAlways('git status', 'git status --porcelain')).toBe('allow')
    expect(afterAllowAlways('npm test', 'npm test -- --watch=false')).toBe('allow')
    expect(afterAllowAlways('python3 -V', 'python3 -V')).toBe('allow')
    expect(afterAllowAlways('npm run test', 'npm run test --silent')).toBe('allow')
  })

  it('records the parsed program and subcommand, or the exact line for interpreters', () => {
    expect(commandScope('git status -s', parse).allow).toBe('git status')
    expect(commandScope('./build.sh --fast', parse).allow).toBe('./build.sh')
    expect(commandScope('python3 -V', parse).allow).toBe('= python3 -V')
    expect(commandScope('ls && touch X', parse).allow).toBeNull()
  })

  it('refuses an always-rejected program written another way, or anywhere in a compound line', () => {
    const refused = [
      './deploy',
      '/usr/local/bin/deploy --prod',
      'ls && deploy',
      'ls | deploy',
      'echo $(deploy)',
      'echo `./deploy`',
      '(cd x; ../deploy)',
      'sudo deploy',
      'env A=1 deploy',
      'xargs deploy',
      'sh -c "deploy now"',
      'bash -lc "ls; deploy"',
      'eval deploy',
      'FOO=1 deploy',
      "'deploy'",
      'DEPLOY',
    ].filter((command) => afterRejectAlways('deploy --prod', command) !== 'deny')
    expect(refused).toEqual([])
    expect(afterRejectAlways('git push origin', 'git -C repo push')).toBe('deny')
    expect(afterRejectAlways('git push origin', 'git status')).toBe('ask')
    expect(afterRejectAlways('deploy --prod', 'ls deploy-notes')).toBe('ask')
  })

  it('asks for a line nested too deep to analyse, and still refuses a rejected program in it', () => {
    const deep = `${'$('.repeat(4000)}deploy${')'.repeat(4000)}`
    expect(commandScope(deep, parse).allow).toBeNull()
    expect(afterRejectAlways('deploy', deep)).toBe('deny')
  })

  it('asks for every line when the parser is not there, and remembers no grant', () => {
    expect(commandScope('ls', null).allow).toBeNull()
    expect(commandScope('ls && ./deploy', null).rejectedBy).toContain('deploy')
  })
})
