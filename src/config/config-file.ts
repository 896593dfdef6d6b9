// Punie's settings file: ~/.punie/config.json, then the project's .punie/config.json.
// The user's file wins field by field; the project's fills in what the user left unset.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { TYPECHECKERS } from '../devtools/settings.js'
import { TOOL_FORMATS } from '../model/text-tool-calls.js'
import { TOOL_MODES } from '../session/ports.js'
import { PERMISSION_MODES } from '../tools/permission.js'

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
    temperature: z.number().min(0).max(2).optional(),
    seed: z.number().int().optional(),
    maxTokens: z.number().int().positive().optional(),
    maxTurnRequests: z.number().int().positive().optional(),
    maxInvalidToolRetries: z.number().int().min(0).optional(),
    contextWindow: z.number().int().positive().optional(),
    stream: z.boolean().optional(),
    requestTimeoutMs: z.number().int().positive().optional(),
    codeMode: z
      .object({
        timeoutMs: z.number().int().positive().optional(),
        maxToolCalls: z.number().int().positive().optional(),
        maxMemoryMb: z.number().positive().optional(),
        maxRecursionDepth: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

export type PunieConfig = z.infer<typeof configSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function readConfigFile(path: string): PunieConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new ConfigError(`${path}: ${issues}`)
  }
  return parsed.data
}

export function loadConfig(userConfigPath: string, projectDir?: string): PunieConfig {
  const user = readConfigFile(userConfigPath)
  const project = projectDir ? readConfigFile(join(projectDir, '.punie', 'config.json')) : {}
  return { ...project, ...user }
}
