// Wires `punie dataset generate` to what a session really does: the tool kit and system prompt of a first
// request in each tool mode (session/tool-kit.ts, session/system-prompt.ts), and the session's own tool-call path
// to run each call. Read-only calls run in the workspace in read-only mode, so that the policy refuses any write;
// every other call runs in a fresh temporary copy of the workspace, removed afterwards.
import { copyFile, cp, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { DEFAULT_CODE_LIMITS } from '../codemode/execute-code.js'
import { CodeSandbox } from '../codemode/sandbox.js'
import { createStubCache } from '../codemode/stub-cache.js'
import type { ExampleOffer, ExampleRunner, RunOutcome, ToolCallToRun } from '../dataset/templates-generate.js'
import { ProjectKnowledge } from '../knowledge/instructions-and-skills.js'
import type { Logger } from '../log/logger.js'
import { toWireTools } from '../model/wire.js'
import { DEFAULT_AGENT_CONFIG } from '../session/config.js'
import { disposeAll, ProjectPool } from '../session/project.js'
import { buildSystemPrompt } from '../session/system-prompt.js'
import { executeToolCall } from '../session/tool-call.js'
import { buildToolKit, type ToolKit } from '../session/tool-kit.js'
import { builtinTools } from '../tools/builtin/index.js'
import type { Tool } from '../tools/define.js'
import type { PermissionMode } from '../tools/permission.js'
import type { ToolMode } from '../tools/tool-mode.js'
import { LocalWorkspace } from '../workspace/local.js'

export interface RegistryExamplesOptions {
  /** The workspace: an absolute, existing directory. */
  root: string
  toolMode: ToolMode
  /** The root the system prompt names (a session names its cwd); default `root`. */
  displayRoot?: string
  logger: Logger
  /** The built-in tools (default: all of them). */
  tools?: readonly Tool[]
  /**
   * The files a temporary copy holds, relative to `root` (the workspace walk: .gitignore honoured, no .git, no
   * symlinks); the whole directory when absent.
   */
  files?: readonly string[]
}

export interface RegistryExamples {
  offer: ExampleOffer
  runner: ExampleRunner
  close(): Promise<void>
}

/** The first request's offer in `toolMode` for a session in `root`, and a runner for the calls. */
export async function registryExamples(options: RegistryExamplesOptions): Promise<RegistryExamples> {
  const { root, toolMode, logger } = options
  const place = { cwd: root, root }
  const knowledge = await new ProjectKnowledge(place).refresh()
  const own = (options.tools ?? builtinTools).filter((t) => t.present?.(place) ?? true)
  const all = [...own, ...knowledge.tools.filter((t) => !own.some((o) => o.name === t.name))]
  let sandbox: CodeSandbox | undefined
  const config = DEFAULT_AGENT_CONFIG
  // A session in the default permission mode (ask) is offered every tool.
  const kit = buildToolKit({
    all,
    allowed: all,
    toolMode,
    sandbox: () => {
      sandbox ??= new CodeSandbox()
      return sandbox
    },
    stubs: createStubCache(),
    limits: config.codeLimits,
  })
  const systemPrompt = buildSystemPrompt({
    cwd: options.displayRoot ?? root,
    mode: 'ask',
    hasTools: kit.schemas.length > 0,
    ...(kit.code ? { code: { limits: DEFAULT_CODE_LIMITS, jsonToolsToo: toolMode === 'both' } } : {}),
    listing: kit.listing,
    ...(knowledge.instructions ? { instructions: knowledge.instructions } : {}),
    ...(knowledge.skillLines.length ? { skills: knowledge.skillLines } : {}),
  })
  const offer: ExampleOffer = { toolMode, systemPrompt, tools: toWireTools(kit.schemas), all }
  const projects = new ProjectPool({ idleMs: 0 })
  let calls = 0

  const runIn = async (dir: string, mode: PermissionMode, call: ToolCallToRun): Promise<RunOutcome> => {
    const workspace = new LocalWorkspace(dir, [])
    const project = projects.acquire(dir)
    const memos = new Map<string, unknown>()
    try {
      const outcome = await executeToolCall(
        { id: call.id, name: call.name, arguments: call.arguments },
        callDeps(kit, workspace, project, memos, mode, logger, () => ++calls),
      )
      if (outcome.failure) return { ok: false, message: outcome.failure.message }
      const notes = outcome.notes?.length ? `\n${outcome.notes.join('\n')}` : ''
      return { ok: true, content: outcome.message.content + notes, output: outcome.output }
    } finally {
      await disposeAll(memos.values())
      await project.release()
      await workspace.dispose().catch(() => undefined)
    }
  }

  const runner: ExampleRunner = {
    run: async (call, where) => {
      if (where === 'workspace') return runIn(root, 'read-only', call)
      const copy = await realpath(await mkdtemp(join(tmpdir(), 'punie-dataset-')))
      try {
        await copyWorkspace(root, copy, options.files)
        return await runIn(copy, 'yolo', call)
      } finally {
        await rm(copy, { recursive: true, force: true })
      }
    },
  }
  return {
    offer,
    runner,
    close: async () => {
      sandbox?.dispose()
      await projects.dispose()
    },
  }
}

async function copyWorkspace(root: string, to: string, files: readonly string[] | undefined): Promise<void> {
  if (!files) return cp(root, to, { recursive: true, verbatimSymlinks: true })
  for (const file of files) {
    await mkdir(dirname(join(to, file)), { recursive: true })
    await copyFile(join(root, file), join(to, file))
  }
}

function callDeps(
  kit: ToolKit,
  workspace: LocalWorkspace,
  project: ReturnType<ProjectPool['acquire']>,
  memos: Map<string, unknown>,
  mode: PermissionMode,
  logger: Logger,
  nextId: () => number,
): Parameters<typeof executeToolCall>[1] {
  const grants = { allowed: new Set<string>(), rejected: new Set<string>() }
  return {
    sessionId: 'dataset',
    turnId: 'dataset',
    registry: kit.registry,
    workspace,
    signal: AbortSignal.timeout(120_000),
    permissions: {
      mode,
      grants,
      remember: () => undefined,
      // Nobody is there to answer: what the mode does not allow is refused.
      ask: async () => 'reject_once',
      cancelTurn: () => undefined,
    },
    emit: () => undefined,
    logger,
    memo: <T>(key: string, make: () => T): T => {
      if (!memos.has(key)) memos.set(key, make())
      return memos.get(key) as T
    },
    project,
    settings: DEFAULT_AGENT_CONFIG.devtools,
    newId: (prefix) => `${prefix}_${nextId()}`,
  }
}
