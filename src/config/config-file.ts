// Punie's settings file: ~/.punie/config.json, then the project's .punie/config.json.
// The user's file wins field by field; the project's fills in what the user left unset, within what an
// untrusted project may choose (project-trust.ts).
import { readFileSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { TYPECHECKERS } from '../devtools/settings.js'
import { TOOL_FORMATS } from '../model/text-tool-calls.js'
import { PERMISSION_MODES } from '../tools/permission.js'
import { TOOL_MODES } from '../tools/tool-mode.js'
import type { Env } from './home.js'
import { mcpServersSchema, mcpTrustSchema } from './mcp-servers.js'
import { describeIgnored, type IgnoredSetting, screenProjectConfig } from './project-trust.js'

export const configSchema = z
  .object({
    model: z.string().min(1).optional(),
    mode: z.enum(PERMISSION_MODES).optional(),
    toolMode: z.enum(TOOL_MODES).optional(),
    toolFormat: z.enum(TOOL_FORMATS).optional(),
    typechecker: z.enum(TYPECHECKERS).optional(),
    languageServers: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
    checkerIdleTimeoutMs: z.number().int().min(0).optional(),
    models: z.array(z.string().min(1)).optional(),
    /** Model specs whose models accept images (`*`: every model); images reach only these. */
    imageModels: z.array(z.string().min(1)).optional(),
    clientRequestTimeoutMs: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    seed: z.number().int().optional(),
    topP: z.number().gt(0).max(1).optional(),
    maxTokens: z.number().int().positive().optional(),
    maxTurnRequests: z.number().int().positive().optional(),
    maxInvalidToolRetries: z.number().int().min(0).optional(),
    contextWindow: z.number().int().positive().optional(),
    reservedOutputTokens: z.number().int().positive().optional(),
    stream: z.boolean().optional(),
    requestTimeoutMs: z.number().int().positive().optional(),
    firstChunkTimeoutMs: z.number().int().positive().optional(),
    streamIdleTimeoutMs: z.number().int().positive().optional(),
    grepTimeoutMs: z.number().int().positive().optional(),
    maxToolResultBytes: z.number().int().min(1024).optional(),
    codeMode: z
      .object({
        timeoutMs: z.number().int().positive().optional(),
        maxToolCalls: z.number().int().positive().optional(),
        maxMemoryMb: z.number().positive().optional(),
        maxRecursionDepth: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** MCP servers every session starts (a project's own only when the project is trusted); see docs/mcp.md. */
    mcpServers: mcpServersSchema.optional(),
    /** Which MCP servers or tools run without asking. */
    mcpTrust: mcpTrustSchema.optional(),
    /** How long one MCP call may go without an answer or progress (default 60 s). */
    mcpTimeoutMs: z.number().int().positive().optional(),
    /** Project directories (absolute) whose .punie/config.json may choose the model host, mode and programs. */
    trustedProjects: z.array(z.string().min(1)).optional(),
    /** Training-data capture (`punie flywheel`): the project roots (absolute) whose sessions it may read. */
    flywheel: z
      .object({ projects: z.array(z.string().min(1)) })
      .strict()
      .optional(),
  })
  .strict()

export type PunieConfig = z.infer<typeof configSchema>

/** A settings file Punie cannot use: which file, which fields, and what is wrong, for the user to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(
    readonly file: string,
    problem: string,
    readonly fields: string[] = [],
  ) {
    super(`settings file ${file}: ${problem}`)
  }
}

/** Text as JSON.parse takes it: editors on Windows (Notepad) start a UTF-8 file with a byte order mark. */
export function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text
}

export function readConfigFile(path: string): PunieConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(path, `cannot read it: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(withoutBom(text))
  } catch (error) {
    throw new ConfigError(path, `not valid JSON: ${(error as Error).message}`)
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map(describeIssue)
    throw new ConfigError(
      path,
      problems.map((p) => p.text).join('; '),
      problems.flatMap((p) => p.fields),
    )
  }
  return parsed.data
}

export interface LoadedConfig {
  config: PunieConfig
  /** Settings of the project's file that did not count, and a line saying so (absent when none). */
  ignored: IgnoredSetting[]
  notice?: string
}

export function loadConfig(userConfigPath: string, projectDir?: string, env: Env = {}): LoadedConfig {
  const user = readConfigFile(userConfigPath)
  if (!projectDir) return { config: user, ignored: [] }
  const file = join(projectDir, '.punie', 'config.json')
  const trusted = isTrustedProject(projectDir, user.trustedProjects ?? [])
  const { config, ignored } = screenProjectConfig(readConfigFile(file), trusted, env)
  return {
    config: { ...config, ...user },
    ignored,
    ...(ignored.length ? { notice: describeIgnored(file, projectDir, ignored) } : {}),
  }
}

/** Whether `dir` is one of the trusted project directories, compared by real path. */
export function isTrustedProject(dir: string, trustedProjects: readonly string[]): boolean {
  const real = realPathOf(dir)
  return trustedProjects.some((t) => realPathOf(t) === real)
}

export function realPathOf(dir: string): string {
  try {
    return realpathSync(resolve(dir))
  } catch {
    return resolve(dir)
  }
}

/** One schema issue as `field "a.b": what is wrong`; an unknown key is named as the field. */
function describeIssue(issue: z.core.$ZodIssue): { text: string; fields: string[] } {
  const at = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((k) => [...at, k].join('.'))
    return { text: `unknown field ${fields.map((f) => `"${f}"`).join(', ')}`, fields }
  }
  const field = at.join('.')
  if (!field) return { text: issue.message, fields: [] }
  return { text: `field "${field}": ${issue.message.replace(/^Invalid input: /, '')}`, fields: [field] }
}
