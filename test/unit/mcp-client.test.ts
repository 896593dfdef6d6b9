// biome-ignore-all lint/suspicious/noTemplateCurlyInString: some of these tests are about ${VAR} in config text
// The MCP client's pure parts: names, trust, result mapping, prompt arguments, settings, and the Code Mode stubs
// of MCP schemas.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { signatureLine, toolStubs } from '../../src/codemode/stubs.js'
import { expandVariables, specFromConfig, trustOf } from '../../src/config/mcp-servers.js'
import type { McpConnection } from '../../src/mcp/client-connection.js'
import { promptArguments } from '../../src/mcp/client-pool.js'
import { combineServers, readMcpSettings, specsFromAcp } from '../../src/mcp/config.js'
import { claimNames, mcpCommandName, mcpToolName } from '../../src/mcp/mcp-names.js'
import {
  callOutput,
  callTitle,
  contentText,
  MAX_MCP_TEXT_BYTES,
  McpToolError,
  mcpTool,
} from '../../src/mcp/mcp-tool.js'
import { byteLength } from '../../src/tools/limits.js'
import { typeErrors } from '../helpers/monty-types.js'
import { makeTempDir } from '../helpers/temp.js'

const noConnection = {} as McpConnection
const info = (over: Partial<McpToolInfo> = {}): McpToolInfo => ({
  name: 'read-file',
  description: 'Read a file. More words follow.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  ...over,
})

describe('MCP tool and prompt names', () => {
  it('are Python identifiers prefixed with the server', () => {
    expect(mcpToolName('everything', 'get-sum')).toBe('everything__get_sum')
    expect(mcpToolName('my server', 'do.it')).toBe('my_server__do_it')
    expect(mcpToolName('9lives', 'x')).toBe('_9lives__x')
    expect(mcpToolName('s', 'a'.repeat(100))).toHaveLength(64)
    expect(mcpCommandName('Everything', 'Args Prompt')).toBe('mcp__everything__args_prompt')
  })

  it('report a clash with a built-in or an earlier tool instead of merging it', () => {
    const { kept, clashes } = claimNames(
      [
        { name: 'a__get_sum', entry: 'get-sum of a' },
        { name: 'a__get_sum', entry: 'get_sum of a' },
        { name: 'read_file', entry: 'read_file of b' },
      ],
      new Set(['read_file']),
      (e) => e,
    )
    expect(kept.map((k) => k.entry)).toEqual(['get-sum of a'])
    expect(clashes).toEqual([
      'get_sum of a is not offered: its name a__get_sum is taken by get-sum of a',
      "read_file of b is not offered: its name read_file is a built-in tool's",
    ])
  })
})

describe('MCP trust', () => {
  it('asks by default and believes readOnlyHint only where the user says so', () => {
    const plain = mcpTool(info({ annotations: { readOnlyHint: true } }), noConnection, {
      name: 'fs__read_file',
      server: 'fs',
      origin: 'x',
      trust: {},
    })
    expect(plain).toMatchObject({ permission: 'ask', kind: 'execute' })
    const readOnly = { name: 'fs__read_file', server: 'fs', origin: 'x', trust: { fs: 'read-only' as const } }
    expect(mcpTool(info({ annotations: { readOnlyHint: true } }), noConnection, readOnly)).toMatchObject({
      permission: 'never',
      kind: 'read',
    })
    expect(mcpTool(info(), noConnection, readOnly)).toMatchObject({ permission: 'ask', kind: 'execute' })
    expect(trustOf({ fs: true }, 'fs', 'anything', false)).toBe(true)
    expect(trustOf({ fs: ['read-file'] }, 'fs', 'read-file', false)).toBe(true)
    expect(trustOf({ fs: ['read-file'] }, 'fs', 'write-file', false)).toBe(false)
    expect(trustOf({ fs: true }, 'other', 'read-file', true)).toBe(false)
  })
})

describe('MCP call results', () => {
  it('prefer structured content, else the text; isError fails the call with the server words', () => {
    expect(callOutput({ content: [{ type: 'text', text: '{"t":1}' }], structuredContent: { t: 1 } })).toEqual(
      { t: 1 },
    )
    expect(
      callOutput({
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toBe('a\nb')
    expect(() => callOutput({ content: [{ type: 'text', text: 'no such file' }], isError: true })).toThrow(
      new McpToolError('no such file'),
    )
  })

  it('name images, audio and binary resources instead of sending them, and cap the text', () => {
    const text = contentText([
      { type: 'image', mimeType: 'image/png', data: 'A'.repeat(4000) },
      { type: 'resource_link', name: 'doc', uri: 'demo://doc' },
      { type: 'resource', resource: { uri: 'demo://bin', blob: 'AAAA', mimeType: 'application/gzip' } },
    ])
    expect(text).toBe(
      '[image image/png, 2.9 KB: not shown]\n[resource doc: demo://doc]\n[resource demo://bin (application/gzip): binary, not shown]',
    )
    const huge = contentText([{ type: 'text', text: 'x'.repeat(MAX_MCP_TEXT_BYTES * 2) }])
    expect(byteLength(huge)).toBeLessThanOrEqual(MAX_MCP_TEXT_BYTES + 100)
    expect(huge).toContain('[… the MCP server sent more')
  })

  it('titles a call with its server, tool and the path it names', () => {
    expect(callTitle('filesystem', 'read_text_file', { path: '/srv/a.txt', head: 3 })).toBe(
      'filesystem: read_text_file /srv/a.txt',
    )
    expect(callTitle('fs', 'move', { source: '/a', destination: '/b' })).toBe('fs: move /a (+1 more)')
    expect(callTitle('everything', 'get-sum', { a: 1 })).toBe('everything: get-sum')
  })
})

describe('MCP prompt arguments from a slash command', () => {
  const prompt = {
    name: 'args-prompt',
    arguments: [
      { name: 'city', required: true },
      { name: 'state', required: false },
    ],
  }
  it('takes name=value pairs, or words in order with the last taking the rest', () => {
    expect(promptArguments(prompt, 'city=Paris state="Ile de France"')).toEqual({
      city: 'Paris',
      state: 'Ile de France',
    })
    expect(promptArguments(prompt, 'Paris Ile de France')).toEqual({ city: 'Paris', state: 'Ile de France' })
    expect(promptArguments(prompt, '')).toBe(
      'the prompt args-prompt needs city; give city [state] in order, or name=value',
    )
  })
})

describe('MCP settings', () => {
  it("reads the user's servers, and a project's only when the project is trusted", () => {
    const home = makeTempDir()
    const project = makeTempDir()
    try {
      const userConfig = join(home.path, 'config.json')
      writeFileSync(
        userConfig,
        JSON.stringify({
          mcpServers: { mine: { command: 'mine-server', args: ['-v'] } },
          mcpTrust: { mine: true },
        }),
      )
      writeFileSync(
        join(project.path, '.mcp.json'),
        JSON.stringify({ mcpServers: { theirs: { command: 'x' } } }),
      )
      const untrusted = readMcpSettings(userConfig, project.path)
      expect(untrusted.servers.map((s) => s.name)).toEqual(['mine'])
      expect(untrusted.trust).toEqual({ mine: true })
      expect(untrusted.notices[0]).toContain('not started (theirs): the project is not trusted')
      writeFileSync(
        userConfig,
        JSON.stringify({ mcpServers: { mine: { command: 'mine-server' } }, trustedProjects: [project.path] }),
      )
      mkdirSync(join(project.path, '.punie'))
      writeFileSync(
        join(project.path, '.punie', 'config.json'),
        JSON.stringify({ mcpServers: { remote: { type: 'http', url: 'http://127.0.0.1:9/mcp' } } }),
      )
      const trusted = readMcpSettings(userConfig, project.path)
      expect(trusted.servers.map((s) => [s.name, s.origin, s.transport])).toEqual([
        ['mine', 'user', 'stdio'],
        ['remote', 'project', 'http'],
        ['theirs', 'project', 'stdio'],
      ])
      expect(trusted.notices).toEqual([])
    } finally {
      home.remove()
      project.remove()
    }
  })

  it('fills ${VAR} and ${VAR:-default} from the environment, as Claude Code does', () => {
    expect(expandVariables('${A}/${B:-fallback}/${C}', { A: 'a', C: '' })).toBe('a/fallback/')
    expect(
      specFromConfig(
        'gh',
        { command: '${HOME}/bin/gh-mcp', args: ['--token=${TOKEN}'], env: { GITHUB_TOKEN: '${TOKEN}' } },
        'user',
        { HOME: '/home/u', TOKEN: 't0k' },
      ),
    ).toEqual({
      name: 'gh',
      origin: 'user',
      transport: 'stdio',
      command: '/home/u/bin/gh-mcp',
      args: ['--token=t0k'],
      env: { GITHUB_TOKEN: 't0k' },
    })
    expect(
      specFromConfig(
        'r',
        { type: 'http', url: 'https://h/${P:-mcp}', headers: { Authorization: 'Bearer ${TOKEN}' } },
        'user',
        {
          TOKEN: 't',
        },
      ),
    ).toMatchObject({ url: 'https://h/mcp', headers: { Authorization: 'Bearer t' } })
  })

  it('reports a broken project file instead of failing the session', () => {
    const home = makeTempDir()
    try {
      writeFileSync(join(home.path, '.mcp.json'), '{ not json')
      const settings = readMcpSettings(join(home.path, 'missing.json'), home.path)
      expect(settings.servers).toEqual([])
      expect(settings.notices[0]).toContain('.mcp.json: not valid JSON')
    } finally {
      home.remove()
    }
  })

  it("maps ACP's server entries, the client's winning over a config server of the same name", () => {
    const fromClient = specsFromAcp([
      { name: 'a', command: '/bin/a', args: ['x'], env: [{ name: 'K', value: 'v' }] },
      { type: 'http', name: 'b', url: 'http://h/mcp', headers: [{ name: 'Authorization', value: 't' }] },
    ])
    expect(fromClient).toEqual([
      { name: 'a', origin: 'client', transport: 'stdio', command: '/bin/a', args: ['x'], env: { K: 'v' } },
      {
        name: 'b',
        origin: 'client',
        transport: 'http',
        url: 'http://h/mcp',
        headers: { Authorization: 't' },
      },
    ])
    const config = specsFromAcp([{ name: 'a', command: '/bin/other', args: [], env: [] }]).map((s) => ({
      ...s,
      origin: 'user' as const,
    }))
    expect(combineServers(fromClient, config).map((s) => s.origin)).toEqual(['client', 'client'])
  })
})

describe('Code Mode stubs of MCP schemas', () => {
  it('type-check with parameters Python cannot name, and type the result from outputSchema', () => {
    const tool = mcpTool(
      info({
        name: 'weather',
        inputSchema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: {
            city: { type: 'string', enum: ['Paris', 'Rome'] },
            from: { type: 'string' },
            'max-days': { type: 'integer' },
            when: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          },
          required: ['city'],
        },
        outputSchema: {
          type: 'object',
          properties: {
            temperature: { type: 'number' },
            'odd-key': { type: 'object', properties: { 'a-b': { type: 'string' } } },
          },
          required: ['temperature'],
        },
      }),
      noConnection,
      { name: 'w__weather', server: 'w', origin: 'x', trust: {} },
    )
    const stubs = toolStubs([tool])
    expect(typeErrors('pass', stubs.typeCheckPrefix)).toBe('')
    expect(stubs.typeCheckPrefix).toContain('**kwargs: Any')
    expect(stubs.typeCheckPrefix).not.toContain('from:')
    expect(
      typeErrors('t = w__weather("Paris", **{"from": "x"})["temperature"] + 1', stubs.typeCheckPrefix),
    ).toBe('')
    expect(typeErrors('w__weather("Oslo")', stubs.typeCheckPrefix)).toMatch(/invalid-argument-type/)
    expect(signatureLine(tool)).toBe(
      'w__weather(city: Literal["Paris", "Rome"], when?: str | None, **kwargs): Read a file.',
    )
  })
})
