import { describe, expect, it } from 'vitest'
import { parseAgentLaunch } from '../../src/cli/agent-options.js'

describe('parseAgentLaunch', () => {
  it('reads the lines IDEs launch the agent with', () => {
    expect(parseAgentLaunch([])).toEqual({ logLevel: 'info' })
    expect(parseAgentLaunch(['acp'])).toEqual({ logLevel: 'info' })
    expect(parseAgentLaunch(['--model', 'ollama:x', '--log-level=debug', '--log-dir', '/l'])).toEqual({
      model: 'ollama:x',
      logLevel: 'debug',
      logDir: '/l',
    })
    expect(parseAgentLaunch(['acp', '--model=local'])).toEqual({ model: 'local', logLevel: 'info' })
  })

  it('leaves everything else to the full command line parser', () => {
    for (const args of [
      ['--help'],
      ['-v'],
      ['tools'],
      ['acp', 'extra'],
      ['--log-level', 'chatty'],
      ['--unknown'],
      ['--model'],
    ]) {
      expect(parseAgentLaunch(args), args.join(' ')).toBeUndefined()
    }
  })
})
