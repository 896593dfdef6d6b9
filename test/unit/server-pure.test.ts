// Pure parts of server mode: loopback and origin rules, token extraction, projects and their shared values,
// the terminal markdown renderer and the command-line permission answers.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { RequestPermissionRequest } from '@agentclientprotocol/sdk'
import { describe, expect, it, vi } from 'vitest'
import { MarkdownLineRenderer } from '../../src/client/markdown.js'
import { answerPermission } from '../../src/client/permission-prompt.js'
import { hostAllowed, isLoopback, originAllowed, presentedToken, sameSecret } from '../../src/server/auth.js'
import { acpSocketUrl } from '../../src/server/server-file.js'
import { boundaryDirectories, ProjectPool, projectRootOf } from '../../src/session/project.js'
import { makeTempDir } from '../helpers/temp.js'

describe('server auth rules', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true)
    for (const host of ['0.0.0.0', '192.168.1.5', '::', 'example.com']) expect(isLoopback(host)).toBe(false)
  })

  it('answers a loopback-bound server only at loopback names, so a rebound DNS name gets nowhere', () => {
    for (const host of ['127.0.0.1:7777', 'localhost:7777', '[::1]:7777', 'localhost'])
      expect(hostAllowed(host, '127.0.0.1')).toBe(true)
    for (const host of ['evil.example:7777', 'evil.example', '127.0.0.1.evil.example:7777', undefined])
      expect(hostAllowed(host, '127.0.0.1')).toBe(false)
    expect(hostAllowed('my-box.lan:7777', '0.0.0.0')).toBe(true)
  })

  it('lets programs without Origin through, and browsers only from the server itself or allowed origins', () => {
    expect(originAllowed(undefined, 8000, [])).toBe(true)
    expect(originAllowed('http://127.0.0.1:8000', 8000, [])).toBe(true)
    expect(originAllowed('http://localhost:8000', 8000, [])).toBe(true)
    expect(originAllowed('http://[::1]:8000', 8000, [])).toBe(true)
    expect(originAllowed('http://localhost:3000', 8000, [])).toBe(false)
    expect(originAllowed('https://evil.example', 8000, [])).toBe(false)
    expect(originAllowed('null', 8000, [])).toBe(false)
    expect(originAllowed('https://dash.example', 8000, ['https://dash.example'])).toBe(true)
  })

  it('reads the bearer token from the header, or the query on WebSocket upgrades only, and compares it in constant time', () => {
    const url = new URL('http://x/acp?access_token=from-query')
    expect(presentedToken('Bearer abc', new URL('http://x/'), 'http')).toBe('abc')
    expect(presentedToken('bearer  abc ', new URL('http://x/'), 'websocket')).toBe('abc')
    expect(presentedToken(undefined, url, 'websocket')).toBe('from-query')
    expect(presentedToken(undefined, new URL('http://x/api/sessions?access_token=t'), 'http')).toBeUndefined()
    expect(presentedToken('Basic abc', new URL('http://x/'), 'http')).toBeUndefined()
    expect(sameSecret('abc', 'abc')).toBe(true)
    expect(sameSecret('abd', 'abc')).toBe(false)
    expect(sameSecret(undefined, 'abc')).toBe(false)
  })

  it('turns a server URL into its ACP socket URL', () => {
    expect(acpSocketUrl('http://127.0.0.1:8000')).toBe('ws://127.0.0.1:8000/acp')
    expect(acpSocketUrl('https://punie.example')).toBe('wss://punie.example/acp')
    expect(acpSocketUrl('ws://h:1/custom')).toBe('ws://h:1/custom')
  })
})

describe('projects', () => {
  it('finds the enclosing git root, or keeps the cwd', () => {
    const dir = makeTempDir('punie-project-')
    try {
      mkdirSync(join(dir.path, 'repo', '.git'), { recursive: true })
      mkdirSync(join(dir.path, 'repo', 'src', 'pkg'), { recursive: true })
      mkdirSync(join(dir.path, 'loose'))
      expect(projectRootOf(join(dir.path, 'repo', 'src', 'pkg'))).toBe(join(dir.path, 'repo'))
      expect(projectRootOf(join(dir.path, 'loose'))).toBe(join(dir.path, 'loose'))
      expect(
        boundaryDirectories({ cwd: '/r/src', project: '/r', additionalDirectories: ['/extra'] }),
      ).toEqual(['/extra', '/r'])
      expect(boundaryDirectories({ cwd: '/r', project: '/r', additionalDirectories: [] })).toEqual([])
    } finally {
      dir.remove()
    }
  })

  it('shares a value between the sessions of a project and disposes it when the last one leaves', async () => {
    const pool = new ProjectPool({ idleMs: 0 })
    let made = 0
    let disposed = 0
    const make = () => ({ id: ++made, dispose: () => void disposed++ })
    const a = pool.acquire('/p')
    const b = pool.acquire('/p')
    const other = pool.acquire('/q')
    expect(a.memo('lsp', make)).toBe(b.memo('lsp', make))
    expect(other.memo('lsp', make).id).toBe(2)
    expect(pool.active()).toEqual([
      { root: '/p', openSessions: 2 },
      { root: '/q', openSessions: 1 },
    ])
    await a.release()
    await a.release()
    expect(disposed).toBe(0)
    await b.release()
    expect(disposed).toBe(1)
    expect(pool.active()).toEqual([{ root: '/q', openSessions: 1 }])
  })

  it('keeps a project warm for its idle time after the last session, for the next session to reuse', async () => {
    vi.useFakeTimers()
    try {
      const pool = new ProjectPool({ idleMs: 1000 })
      let made = 0
      let disposed = 0
      const make = () => ({ id: ++made, dispose: () => void disposed++ })
      const a = pool.acquire('/p')
      a.memo('lsp', make)
      await a.release()
      expect(pool.active()).toEqual([])
      await vi.advanceTimersByTimeAsync(900)
      const b = pool.acquire('/p')
      expect(b.memo('lsp', make).id).toBe(1)
      await b.release()
      await vi.advanceTimersByTimeAsync(999)
      expect(disposed).toBe(0)
      await vi.advanceTimersByTimeAsync(1)
      expect(disposed).toBe(1)
      expect(pool.acquire('/p').memo('lsp', make).id).toBe(2)
      await pool.dispose()
      expect(disposed).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('terminal markdown', () => {
  it('renders complete lines and holds the unfinished one', () => {
    const md = new MarkdownLineRenderer()
    expect(md.push('# Ti')).toBe('')
    const heading = md.push('tle\nuse `x` and **y**\n```py\nprint(1)\n```\n- item')
    expect(heading).toContain('\x1b[1m\x1b[4mTitle')
    expect(heading).toContain('\x1b[36mx\x1b[39m')
    expect(heading).toContain('\x1b[1my\x1b[22m')
    expect(heading).toContain('\x1b[36m  print(1)')
    expect(heading).not.toContain('**')
    expect(md.flush()).toBe('• item')
  })
})

describe('command-line permission answers', () => {
  const request = {
    sessionId: 's',
    toolCall: { toolCallId: 't', title: 'Write a.txt' },
    options: [
      { optionId: 'o1', name: 'Allow', kind: 'allow_once' },
      { optionId: 'o2', name: 'Always', kind: 'allow_always' },
      { optionId: 'o3', name: 'Reject', kind: 'reject_once' },
      { optionId: 'o4', name: 'Never', kind: 'reject_always' },
    ],
  } as RequestPermissionRequest
  const signal = new AbortController().signal
  const notes: string[] = []
  const typed = (...lines: string[]) => ({
    yes: false,
    ask: async () => lines.shift() ?? '',
    note: (t: string) => notes.push(t),
  })

  it('maps y, a and n (and a bare Enter) to the offered options, and asks again on anything else', async () => {
    const chosen = async (...lines: string[]) => {
      const response = await answerPermission(request, typed(...lines), signal)
      return response.outcome.outcome === 'selected' ? response.outcome.optionId : 'cancelled'
    }
    expect(await chosen('y')).toBe('o1')
    expect(await chosen('always')).toBe('o2')
    expect(await chosen('N')).toBe('o3')
    expect(await chosen('')).toBe('o3')
    expect(await chosen('maybe', 'y')).toBe('o1')
    expect(notes).toContain('please answer y, n or a')
  })

  it('shows control characters of a title and a diff written out, so that a command cannot pass for another', async () => {
    const questions: string[] = []
    const shown: string[] = []
    const disguised = {
      ...request,
      toolCall: {
        toolCallId: 't',
        title: 'rm -rf ~ #\r\x1b[2Kls\u202e',
        content: [{ type: 'content', content: { type: 'text', text: 'a\tb\x1b[1A\x1b[2K' } }],
      },
    } as RequestPermissionRequest
    const policy = {
      yes: false,
      ask: async (question: string) => {
        questions.push(question)
        return 'n'
      },
      note: (t: string) => shown.push(t),
    }
    await answerPermission(disguised, policy, signal)
    expect(questions[0]).toBe('Allow rm -rf ~ #\\u{d}\\u{1b}[2Kls\\u{202e}? [y]es / [n]o / [a]lways: ')
    expect(shown).toEqual(['a\tb\\u{1b}[1A\\u{1b}[2K'])
  })

  it('allows with --yes, denies with nobody to ask, and cancels when the question is interrupted', async () => {
    const note = (t: string) => notes.push(t)
    expect(await answerPermission(request, { yes: true, note }, signal)).toEqual({
      outcome: { outcome: 'selected', optionId: 'o1' },
    })
    expect(await answerPermission(request, { yes: false, note }, signal)).toEqual({
      outcome: { outcome: 'selected', optionId: 'o3' },
    })
    const interrupted = { yes: false, note, ask: () => Promise.reject(new Error('interrupted')) }
    expect(await answerPermission(request, interrupted, signal)).toEqual({
      outcome: { outcome: 'cancelled' },
    })
  })
})
