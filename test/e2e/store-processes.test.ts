// Several processes on one store: agents starting together on a fresh home, writers sharing one session, and a
// session loaded by a second agent while the first still has it open.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { REPO_ROOT } from '../helpers/acp-harness.js'
import { useSpawnedAgents } from '../helpers/spawned-agents.js'
import { makeTempDir } from '../helpers/temp.js'

const run = promisify(execFile)
const STORE_MODULE = pathToFileURL(join(REPO_ROOT, 'dist', 'store', 'sqlite-store.js')).href

/**
 * A node process that waits until `startAt` (so that all of them hit the database in the same instant), then
 * runs `body` with the compiled store module as `store` and prints its JSON result.
 */
async function child(body: string, startAt: number, args: string[]): Promise<unknown> {
  const script = `
    const store = await import(${JSON.stringify(STORE_MODULE)})
    const args = process.argv.slice(1)
    while (Date.now() < ${startAt}) {}
    const result = await (async () => { ${body} })()
    process.stdout.write(JSON.stringify(result))
  `
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, ...args])
  return JSON.parse(stdout)
}

describe('the store shared by several processes', () => {
  let home: ReturnType<typeof makeTempDir>
  beforeEach(() => {
    home = makeTempDir('punie-store-')
  })
  afterEach(() => home.remove())

  it('migrates a fresh database once when six processes open it at the same moment', async () => {
    const path = join(home.path, 'punie.db')
    const startAt = Date.now() + 1500
    const opened = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        child(
          `const db = store.openDatabase(args[0]); const v = db.pragma('user_version', { simple: true }); db.close(); return v`,
          startAt,
          [path],
        ),
      ),
    )
    const failures = opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []))
    expect(failures).toEqual([])
    const check = SqliteStore.open(path)
    expect(check.listSessions({}).sessions).toEqual([])
    check.close()
  })

  it('keeps every event two processes append to one session at once', async () => {
    const path = join(home.path, 'punie.db')
    const setup = SqliteStore.open(path)
    const now = Date.now()
    setup.createSession({
      id: 's',
      cwd: home.path,
      project: home.path,
      additionalDirectories: [],
      model: 'local',
      mode: 'ask',
      toolMode: 'direct',
      createdAt: now,
      updatedAt: now,
    })
    setup.close()
    const perWriter = 1500
    // Each writer numbers its events as a Session does: from the last number it saw when it opened the session.
    const writer = `
      const s = store.SqliteStore.open(args[0])
      let seq = s.lastSeq('s'), sent = 0, failed = []
      for (let i = 0; i < ${perWriter}; i++) {
        const event = { type: 'session.title', title: args[1] + i, sessionId: 's', seq: ++seq, at: Date.now() }
        sent++
        try { s.appendEvent(event) } catch (e) { failed.push(String(e.message)) }
      }
      s.close()
      return { sent, failed: failed.length, firstFailure: failed[0] }
    `
    const startAt = Date.now() + 1500
    const results = (await Promise.all([
      child(writer, startAt, [path, 'a']),
      child(writer, startAt, [path, 'b']),
    ])) as { sent: number; failed: number; firstFailure?: string }[]
    const sent = results.reduce((n, r) => n + r.sent, 0)
    const store = SqliteStore.open(path)
    const events = store.events('s')
    store.close()
    console.info(`two writers: ${sent} events sent, ${events.length} stored`)
    expect(results.map((r) => r.failed)).toEqual([0, 0])
    expect(events).toHaveLength(sent)
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1))
  })
})

describe('two punie agents on one home', () => {
  const agents = useSpawnedAgents()
  const start = (args: string[] = []) => agents.start(args)

  it('both start on a fresh home at the same time and each creates a session', async () => {
    const three = [start(), start(), start()]
    await Promise.all(three.map((a) => a.harness.initialize()))
    const sessions = await Promise.all(three.map((a) => a.harness.newSession(agents.workspace)))
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(3)
    for (const agent of three) expect(agent.stderr()).toBe('')
  })

  it('a session loaded by a second agent is written by that one; the first is told, and nothing is lost unseen', async () => {
    const first = start()
    await first.harness.initialize()
    const { sessionId } = await first.harness.newSession(agents.workspace)
    agents.model.enqueue({ text: 'one' })
    await first.harness.prompt(sessionId, 'first prompt')

    const second = start()
    await second.harness.initialize()
    await second.harness.loadSession(sessionId, agents.workspace)

    const mark = first.harness.updates(sessionId).length
    const stale = await first.harness.prompt(sessionId, 'from the first agent, after the takeover')
    expect(stale.stopReason).toBe('cancelled')
    expect(first.harness.agentText(sessionId, mark)).toMatch(
      /⚠ Not saved: session .* was opened by another Punie process \(pid \d+\)/,
    )
    await expect(first.harness.prompt(sessionId, 'again')).rejects.toThrow(/opened by another Punie process/)

    agents.model.enqueue({ text: 'two' })
    const answered = await second.harness.prompt(sessionId, 'from the second agent')
    expect(answered.stopReason).toBe('end_turn')

    const third = start()
    await third.harness.initialize()
    await third.harness.loadSession(sessionId, agents.workspace)
    const replayedUser = third.harness
      .updates(sessionId)
      .flatMap((u) =>
        u.sessionUpdate === 'user_message_chunk' && u.content.type === 'text' ? [u.content.text] : [],
      )
    expect(replayedUser).toEqual(['first prompt', 'from the second agent'])
    expect(third.harness.agentText(sessionId)).toBe('onetwo')
  })
})
