// `punie init`: registers Punie with an IDE. JetBrains gets ~/.jetbrains/acp.json written or merged; Zed gets
// its settings merged with --output, or printed to paste.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import {
  AGENT_KEY,
  type AgentLaunch,
  agentServerEntry,
  isSettingsObject,
  withAgentServer,
} from '../config/ide-config.js'
import type { Ide } from '../config/ides.js'
import { packageRoot } from '../package-root.js'

export interface InitOptions {
  ide: Ide
  output?: string
  model?: string
  /** Launch the bridge to a running server instead of an agent per IDE window. */
  connect?: boolean
}

export function punieLaunch(opts: Pick<InitOptions, 'model' | 'connect'>, env = process.env): AgentLaunch {
  // Absolute paths: IDEs started from a desktop do not see the shell's PATH (nvm, volta, ~/.local/bin).
  return {
    command: process.execPath,
    args: [
      join(packageRoot(), 'bin', 'punie.js'),
      opts.connect ? 'connect' : 'acp',
      ...(opts.model ? ['--model', opts.model] : []),
    ],
    env: env.PUNIE_HOME ? { PUNIE_HOME: env.PUNIE_HOME } : {},
  }
}

export function runInit(opts: InitOptions): void {
  const entry = agentServerEntry(opts.ide, punieLaunch(opts))
  const target = opts.output ? resolve(opts.output) : defaultTarget(opts.ide)
  if (!target) {
    process.stdout.write(`${withAgentServer('', entry)}`)
    process.stderr.write(
      "Add this to Zed's settings.json (zed: open settings file), or rerun with --output <settings.json>.\n",
    )
    return
  }
  let text = existsSync(target) ? readFileSync(target, 'utf8') : ''
  if (text.trim() && !isSettingsObject(text)) {
    const backup = `${target}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`
    copyFileSync(target, backup)
    process.stderr.write(`${target} was not valid JSON; kept it as ${backup} and started a new one\n`)
    text = ''
  }
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, withAgentServer(text, entry))
  process.stdout.write(`Punie registered as agent_servers.${AGENT_KEY} in ${target}\n`)
}

function defaultTarget(ide: Ide): string | undefined {
  return ide === 'jetbrains' ? join(homedir(), '.jetbrains', 'acp.json') : undefined
}
